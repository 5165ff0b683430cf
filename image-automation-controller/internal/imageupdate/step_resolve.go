package imageupdate

import (
	"context"
	"errors"
	"reflect"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/gitclient"
	"github.com/tidegitops/tide/skeleton"
)

// resolve asks the remote where the checkout ref points (one ref
// advertisement, no clone) and decides whether the run can be skipped: the
// last run succeeded for this generation, and neither the selected policies'
// latest images nor the checkout's revision changed since. A reconcile
// request (reconcile.fluxcd.io/requestedAt) always runs in full.
func (r *Reconciler) resolve(ctx context.Context, s *scope) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	res, err := gitclient.Resolve(ctx, s.repo.Spec.URL, s.auth, s.checkout)
	if err != nil {
		return gitError(err, "cannot resolve the checkout ref")
	}
	s.revision = res.Revision
	st := s.obj.Status
	token, requested := meta.ReconcileAnnotationValue(s.obj.GetAnnotations())
	s.skipped = conditions.IsReady(s.obj) &&
		st.ObservedGeneration == s.obj.Generation &&
		st.ObservedSourceRevision == s.revision &&
		samePolicies(st.ObservedPolicies, s.observed) &&
		(!requested || token == st.LastHandledReconcileAt)
	return nil
}

func samePolicies(a, b imagev1.ObservedPolicies) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

// gitError turns a gitclient error into the user's next step, with Flux's
// reason GitOperationFailed.
func gitError(err error, what string) error {
	switch {
	case errors.Is(err, gitclient.ErrAuthFailed):
		return skeleton.Retryf(imagev1.GitOperationFailedReason,
			"%s: %s: check the credentials in the GitRepository's spec.secretRef (they need write access to push)", what, err)
	case errors.Is(err, gitclient.ErrRefNotFound):
		return skeleton.Retryf(imagev1.GitOperationFailedReason,
			"%s: %s: check spec.git.checkout.ref (or the GitRepository's spec.ref)", what, err)
	case errors.Is(err, gitclient.ErrUnreachable):
		return skeleton.Retryf(imagev1.GitOperationFailedReason,
			"%s: %s: check the GitRepository's spec.url and that the Git server is reachable", what, err)
	case errors.Is(err, gitclient.ErrPushRejected):
		return skeleton.Retryf(imagev1.GitOperationFailedReason,
			"%s: %s: check that the credentials may push to the branch and that no branch protection refuses it", what, err)
	default:
		return skeleton.Retryf(imagev1.GitOperationFailedReason, "%s: %s", what, err)
	}
}
