package receiver

import (
	"context"
	"fmt"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	"github.com/tidegitops/tide/skeleton"
)

// checkType refuses the types Tide cannot verify: their calls would be
// accepted without the check Flux makes.
func (r *Reconciler) checkType(_ context.Context, s *scope) error {
	if _, ok := verifiers[s.obj.Spec.Type]; !ok {
		return skeleton.Stall(notificationv1.ValidationFailedReason,
			"receiver type %q is not supported by Tide (it cannot verify its calls); supported types: %s", s.obj.Spec.Type, supportedTypes())
	}
	return nil
}

// checkFilters compiles the CEL filters: one that does not compile, or does
// not give a boolean, stalls the Receiver until it is fixed.
func (r *Reconciler) checkFilters(_ context.Context, s *scope) error {
	if s.obj.Spec.ResourceFilter != "" {
		if _, err := compileFilter(s.obj.Spec.ResourceFilter); err != nil {
			return skeleton.Stall(notificationv1.InvalidConfigReason, "invalid spec.resourceFilter: %s", err)
		}
	}
	for i, res := range s.obj.Spec.Resources {
		if res.Filter == "" {
			continue
		}
		if _, err := compileFilter(res.Filter); err != nil {
			return skeleton.Stall(notificationv1.InvalidConfigReason, "invalid spec.resources[%d].filter: %s", i, err)
		}
	}
	return nil
}

// readToken reads the token and publishes the webhook path it gives.
func (r *Reconciler) readToken(ctx context.Context, s *scope) error {
	token, err := readToken(ctx, r.Client, s.obj)
	if err != nil {
		return skeleton.Retry(notificationv1.TokenNotFoundReason, fmt.Errorf("%w; create the Secret with a 'token' key", err))
	}
	s.obj.Status.WebhookPath = s.obj.WebhookPathFor(token)
	return nil
}
