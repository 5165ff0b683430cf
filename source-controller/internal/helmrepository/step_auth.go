package helmrepository

import (
	"context"
	"errors"

	ctrl "sigs.k8s.io/controller-runtime"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/helmrepo"
)

// readAuth checks the URL and builds the client options from the Secrets.
// A bad URL or a missing or unusable Secret stalls the object: the user
// must fix it, and the spec change or the Secret watch brings it back.
func (r *Reconciler) readAuth(ctx context.Context, s *scope) error {
	if _, err := helmrepo.NormalizeURL(s.obj.Spec.URL); err != nil {
		return failed(s.obj, sourcev1.FetchFailedCondition, skeleton.Stall(sourcev1.URLInvalidReason, "%s", err.Error()))
	}
	opts, err := helmrepo.ClientOptions(ctx, r.Client, s.obj)
	switch {
	case errors.Is(err, helmrepo.ErrSecretNotFound), errors.Is(err, helmrepo.ErrInvalidSecret):
		return failed(s.obj, sourcev1.FetchFailedCondition, skeleton.Stall(sourcev1.AuthenticationFailedReason, "%s", err.Error()))
	case err != nil:
		return failed(s.obj, sourcev1.FetchFailedCondition, skeleton.Retry(sourcev1.AuthenticationFailedReason, err))
	}
	if opts.DeprecatedTLS {
		ctrl.LoggerFrom(ctx).Info("TLS material read from the spec.secretRef Secret ('certFile', 'keyFile', 'caFile'), which is deprecated: move it to a Secret named in spec.certSecretRef ('tls.crt', 'tls.key', 'ca.crt')")
	}
	s.opts = opts
	return nil
}
