package gitrepository

import (
	"context"
	"os"
	"strings"

	"github.com/fluxcd/pkg/runtime/conditions"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/gitclient"
	"github.com/tidegitops/tide/skeleton"
)

// checkout clones the resolved commit into a temporary folder, shallowly
// where the ref allows, unless the stored artifact is already current and
// verified with the current keys. When nothing has to be added to or cut
// from the tree (no include, submodule or sparse checkout), no worktree is
// written: the archive step reads the files straight from Git's object
// store, which is most of the saving on large repositories.
func (r *Reconciler) checkout(ctx context.Context, s *scope) error {
	if s.upToDate && !s.reverify {
		return nil
	}
	dir, err := os.MkdirTemp("", "gitrepository-")
	if err != nil {
		return failed(s.obj, sourcev1.StorageOperationFailedCondition,
			skeleton.Retry(sourcev1.DirCreationFailedReason, err))
	}
	s.workDir = dir
	ctx, cancel := context.WithTimeout(ctx, s.obj.GetTimeout())
	defer cancel()
	commit, err := gitclient.Checkout(ctx, s.obj.Spec.URL, s.auth, s.checkoutRef(), dir, gitclient.CheckoutOptions{
		RecurseSubmodules: s.obj.Spec.RecurseSubmodules,
		SparseCheckout:    s.obj.Spec.SparseCheckout,
		NoWorktree: len(s.includes) == 0 && !s.obj.Spec.RecurseSubmodules &&
			len(s.obj.Spec.SparseCheckout) == 0,
	})
	if err != nil {
		return failed(s.obj, sourcev1.FetchFailedCondition, r.gitError(s.obj, err))
	}
	conditions.Delete(s.obj, sourcev1.FetchFailedCondition)
	s.commit = commit
	return nil
}

// checkoutRef is the ref to fetch. A semver range was already resolved to a
// tag by the resolve step: fetching that tag saves asking the remote for
// its refs a second time.
func (s *scope) checkoutRef() gitclient.Ref {
	r := ref(s.obj)
	if r.Commit == "" && r.Name == "" && r.SemVer != "" && strings.HasPrefix(s.resolved.RefName, "refs/tags/") {
		return gitclient.Ref{Tag: strings.TrimPrefix(s.resolved.RefName, "refs/tags/")}
	}
	return r
}
