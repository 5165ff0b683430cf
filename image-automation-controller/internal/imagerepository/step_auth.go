package imagerepository

import (
	"context"
	"errors"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/registry"
	"github.com/tidegitops/tide/skeleton"
)

// readAuth reads the repository's Secrets into a registry client. A
// missing or unusable Secret stalls: the user must fix it, and the Secret
// watch brings the repository back.
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
// are retried.
func authError(err error) error {
	if _, ok := errors.AsType[*registry.SecretError](err); ok || errors.Is(err, registry.ErrInvalidCredentials) {
		return skeleton.Stall(imagev1.AuthenticationFailedReason, "%s", err.Error())
	}
	return skeleton.Retry(imagev1.AuthenticationFailedReason, err)
}
