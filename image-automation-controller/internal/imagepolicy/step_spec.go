package imagepolicy

import (
	"context"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/policy"
	"github.com/tidegitops/tide/skeleton"
)

// InvalidPolicyReason: spec.policy or spec.filterTags cannot be used
// (Flux's reason).
const InvalidPolicyReason = "InvalidPolicy"

// checkSpec stalls on a policy no retry can make usable: a semver range
// that does not parse, an order that is neither asc nor desc, a filter
// pattern that does not compile or an extract naming no group, and
// digestReflectionPolicy Always without an interval.
func (r *Reconciler) checkSpec(_ context.Context, s *scope) error {
	obj := s.obj
	if obj.GetDigestReflectionPolicy() == imagev1.ReflectAlways && obj.Spec.Interval == nil {
		return skeleton.Stall(imagev1.IntervalNotConfiguredReason,
			"spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'")
	}
	p, err := policy.New(obj.Spec.Policy, obj.Spec.FilterTags)
	if err != nil {
		return skeleton.Stall(InvalidPolicyReason, "invalid policy: %s", err.Error())
	}
	s.policy = p
	return nil
}
