package helmchart

import (
	"context"
	"path"

	"github.com/fluxcd/pkg/runtime/conditions"
	ctrl "sigs.k8s.io/controller-runtime"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// checkStorage forgets a recorded artifact whose file is gone (a restarted
// pod with an empty volume), so that it is built again, and rewrites the
// artifact URL in case the advertised address changed.
func (r *Reconciler) checkStorage(ctx context.Context, s *scope) error {
	a := s.obj.Status.Artifact
	if a == nil {
		return nil
	}
	if !r.Storage.Exists(*a) {
		ctrl.LoggerFrom(ctx).Info("recorded artifact is missing from storage; rebuilding it", "path", a.Path)
		s.obj.Status.Artifact = nil
		s.obj.Status.URL = ""
		conditions.Delete(s.obj, sourcev1.ArtifactInStorageCondition)
		return nil
	}
	a.URL = r.Storage.URL(a.Path)
	if s.obj.Status.URL != "" {
		s.obj.Status.URL = r.Storage.URL(path.Join(path.Dir(a.Path), latestLink))
	}
	return nil
}
