package helmrepository

import (
	"context"
	"path"

	"github.com/fluxcd/pkg/runtime/conditions"
	ctrl "sigs.k8s.io/controller-runtime"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// indexLink is the stable name of an object's latest index (status.url).
const indexLink = "index.yaml"

// checkStorage forgets a recorded artifact whose file is gone (a restarted
// pod with an empty volume), so the next steps store it again, and
// rewrites the URLs in case the advertised address changed.
func (r *Reconciler) checkStorage(ctx context.Context, s *scope) error {
	a := s.obj.Status.Artifact
	if a == nil {
		return nil
	}
	if !r.Storage.Exists(*a) {
		ctrl.LoggerFrom(ctx).Info("recorded artifact is missing from storage; storing it again", "path", a.Path)
		s.obj.Status.Artifact, s.obj.Status.URL = nil, ""
		conditions.Delete(s.obj, sourcev1.ArtifactInStorageCondition)
		return nil
	}
	a.URL = r.Storage.URL(a.Path)
	s.obj.Status.URL = r.Storage.URL(path.Join(path.Dir(a.Path), indexLink))
	return nil
}
