package imagerepository

import (
	"context"
	"errors"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/registry"
	"github.com/tidegitops/tide/skeleton"
)

// readAuth reads the repository's Secrets into a registry client. A
// missing or unusable Secret it names stalls: the user must fix it, and the
// Secret watch brings the repository back.
func (r *Reconciler) readAuth(ctx context.Context, s *scope) error {
	if s.scanReason == "" {
		return nil
	}
	opts, key, err := registry.OptionsFor(ctx, r.Client, s.obj)
	if err != nil {
		return authError(err)
	}
	client, err := r.Clients.Get(opts, key)
	if err != nil {
		return authError(err)
	}
	s.client = client
	return nil
}

// authError is what a Secret's fault shows; the apiserver's own errors
// are retried. So are the faults of spec.serviceAccountName (the account,
// its imagePullSecrets): no watch sees them fixed, so a stall would last
// until the next edit.
func authError(err error) error {
	se, ok := errors.AsType[*registry.SecretError](err)
	if ok && se.ViaServiceAccount() {
		return skeleton.Retryf(imagev1.AuthenticationFailedReason, "%s", err.Error())
	}
	if ok || errors.Is(err, registry.ErrInvalidCredentials) {
		return skeleton.Stall(imagev1.AuthenticationFailedReason, "%s", err.Error())
	}
	return skeleton.Retry(imagev1.AuthenticationFailedReason, err)
}
