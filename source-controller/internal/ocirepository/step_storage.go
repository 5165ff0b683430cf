package ocirepository

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"
)

// checkStorage forgets a recorded artifact whose file is gone (a restarted
// pod with an empty volume), so the next steps pull it again, and rewrites
// the artifact URLs in case the advertised address changed.
func (r *Reconciler) checkStorage(ctx context.Context, s *scope) error {
	a := s.obj.Status.Artifact
	if a == nil {
		return nil
	}
	if !r.Storage.Exists(*a) {
		ctrl.LoggerFrom(ctx).Info("recorded artifact is missing from storage; pulling it again", "path", a.Path)
		s.obj.Status.Artifact = nil
		s.obj.Status.URL = ""
		return nil
	}
	a.URL = r.Storage.URL(a.Path)
	s.obj.Status.URL = r.latestURL(s.obj)
	return nil
}
