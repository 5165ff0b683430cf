package helmrepository

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// collectGarbage deletes this object's old artifacts beyond the retention
// settings. A failure is reported but does not fail the reconciliation:
// the current artifact is stored and served either way.
func (r *Reconciler) collectGarbage(ctx context.Context, s *scope) error {
	if s.obj.Status.Artifact == nil {
		return nil
	}
	unlock := r.Storage.Lock(*s.obj.Status.Artifact)
	defer unlock()
	deleted, err := r.Storage.GarbageCollect(*s.obj.Status.Artifact)
	if err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "garbage collection of old artifacts failed")
		r.Skeleton.Events.Eventf(s.obj, nil, corev1.EventTypeWarning, "GarbageCollectionFailed", "GarbageCollect",
			"garbage collection of old artifacts failed: %s", err.Error())
		return nil
	}
	if len(deleted) > 0 {
		ctrl.LoggerFrom(ctx).V(1).Info("garbage collected old artifacts", "files", deleted)
	}
	return nil
}

// removeArtifacts deletes every artifact of an object being deleted.
func (r *Reconciler) removeArtifacts(_ context.Context, s *scope) error {
	r.etags.forget(s.obj.UID)
	return r.Storage.RemoveAll(sourcev1.HelmRepositoryKind, s.obj.Namespace, s.obj.Name)
}
