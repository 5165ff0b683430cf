package helmrelease

import (
	"context"
	"errors"

	"github.com/tidegitops/tide/helm-controller/internal/release"
	"github.com/tidegitops/tide/helm-controller/values"
	"github.com/tidegitops/tide/skeleton"
)

// valuesErrorReason: spec.valuesFrom could not be used (Flux's reason).
const valuesErrorReason = "ValuesError"

// composeValues merges spec.valuesFrom and spec.values. A reference the
// user must fix waits for the fix (a ConfigMap may be created next); the
// release in place is left alone.
func (r *Reconciler) composeValues(ctx context.Context, s *scope) error {
	obj := s.obj
	composed, err := values.Compose(ctx, r.APIReader, obj.Namespace, obj.GetValues(), obj.Spec.ValuesFrom)
	if err != nil {
		var verr *values.Error
		if errors.As(err, &verr) && verr.Kind != nil {
			return skeleton.Wait(obj.Spec.Interval.Duration, valuesErrorReason, "%s", err)
		}
		return skeleton.Retry(valuesErrorReason, err)
	}
	s.values = composed
	s.configDigest = release.ValuesDigest(composed)
	return nil
}
