package helmrelease

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"
)

// finalize uninstalls the release of a deleted HelmRelease (when one was
// ever made: status.storageNamespace is set) and deletes the HelmChart its
// spec.chart made, as Flux does. A suspended HelmRelease is deleted
// without touching its release, as in Flux.
func (r *Reconciler) finalize(ctx context.Context, s *scope) error {
	obj := s.obj
	if obj.Spec.Suspend {
		ctrl.LoggerFrom(ctx).Info("suspended: the Helm release is left in place")
		return nil
	}
	if ok, err := r.uninstallable(ctx, obj); err != nil {
		return err
	} else if ok {
		if err := r.uninstallCurrent(ctx, obj); err != nil {
			return err
		}
	}
	r.Clusters.Forget(targetOf(obj))
	obj.Status.ClearHistory()
	obj.Status.StorageNamespace = ""
	if r.Templates != nil {
		return r.Templates.Delete(ctx, obj)
	}
	return nil
}
