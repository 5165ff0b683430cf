package gitrepository

import (
	"context"
	"errors"
	"slices"

	"github.com/fluxcd/pkg/runtime/conditions"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/gitclient"
	"github.com/tidegitops/tide/skeleton"
)

// resolve asks the remote which commit the ref points at, with one ref
// advertisement and no clone, and decides whether the stored artifact is
// still current.
func (r *Reconciler) resolve(ctx context.Context, s *scope) error {
	ctx, cancel := context.WithTimeout(ctx, s.obj.GetTimeout())
	defer cancel()
	resolved, err := gitclient.Resolve(ctx, s.obj.Spec.URL, s.auth, ref(s.obj))
	if err != nil {
		return failed(s.obj, sourcev1.FetchFailedCondition, r.gitError(s.obj, err))
	}
	conditions.Delete(s.obj, sourcev1.FetchFailedCondition)
	s.resolved = resolved
	if a := s.obj.Status.Artifact; a != nil && a.Revision != resolved.Revision {
		conditions.MarkTrue(s.obj, sourcev1.ArtifactOutdatedCondition, sourcev1.NewRevisionReason,
			"new upstream revision '%s'", resolved.Revision)
	}
	return nil
}

// gitError turns a Git failure into what the user sees. Problems only the
// user can fix on the Git side (a missing ref, rejected credentials) are
// retried at the interval, since a push or a new password fixes them without
// any change to the object; network trouble is retried with backoff.
func (r *Reconciler) gitError(obj *sourcev1.GitRepository, err error) error {
	interval := obj.GetRequeueAfter()
	switch {
	case errors.Is(err, gitclient.ErrRefNotFound):
		return skeleton.Wait(interval, sourcev1.GitOperationFailedReason,
			"%s: push it, or fix spec.ref", err.Error())
	case errors.Is(err, gitclient.ErrAuthFailed):
		where := "spec.secretRef"
		if obj.Spec.ProxySecretRef != nil {
			where = "spec.secretRef and the proxy's in spec.proxySecretRef"
		}
		return skeleton.Wait(interval, sourcev1.AuthenticationFailedReason,
			"%s: check the credentials in %s, and that they may read the repository", err.Error(), where)
	case errors.Is(err, gitclient.ErrInvalidAuth):
		return classifyAuthError(obj, err)
	case errors.Is(err, gitclient.ErrUnreachable):
		return skeleton.Retryf(sourcev1.GitOperationFailedReason,
			"%s: check spec.url and that the Git server is reachable from the controller", err.Error())
	default:
		return skeleton.Retry(sourcev1.GitOperationFailedReason, err)
	}
}

// ref returns the spec's ref, defaulting to the master branch as Flux does.
func ref(obj *sourcev1.GitRepository) gitclient.Ref {
	if obj.Spec.Reference == nil {
		return gitclient.Ref{Branch: gitclient.DefaultBranch}
	}
	return gitclient.Ref(*obj.Spec.Reference)
}

// artifactUpToDate reports whether the stored artifact was built from the
// resolved commit, the current includes and the current content options, so
// that building it again would give the same tarball. Whether its signature
// still counts as verified is verificationCurrent's question.
func artifactUpToDate(obj *sourcev1.GitRepository, revision string, includes []included) bool {
	a, st, spec := obj.Status.Artifact, obj.Status, obj.Spec
	if a == nil || a.Revision != revision {
		return false
	}
	if !equalPtr(st.ObservedIgnore, spec.Ignore) || st.ObservedRecurseSubmodules != spec.RecurseSubmodules ||
		!slices.Equal(st.ObservedSparseCheckout, spec.SparseCheckout) ||
		!slices.Equal(st.ObservedInclude, spec.Include) || len(st.IncludedArtifacts) != len(includes) {
		return false
	}
	for i, inc := range includes {
		if st.IncludedArtifacts[i] == nil || st.IncludedArtifacts[i].Digest != inc.artifact.Digest {
			return false
		}
	}
	return true
}

func equalPtr[T comparable](a, b *T) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func ptrValue[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
