package kustomization

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
	"github.com/tidegitops/tide/kustomize-controller/internal/ssa"
)

// finalize follows spec.deletionPolicy when a Kustomization is deleted:
// MirrorPrune deletes what it applied if spec.prune is set, Delete always,
// WaitForTermination also waits until those objects are gone, Orphan never.
// A suspended Kustomization deletes nothing, as in Flux: suspending is how a
// user takes a Kustomization out of the way while keeping its objects.
func (r *Reconciler) finalize(ctx context.Context, s *scope) error {
	obj := s.obj
	policy := obj.GetDeletionPolicy()
	if obj.Spec.Suspend || policy == kustomizev1.DeletionPolicyOrphan || obj.Status.Inventory == nil ||
		(policy == kustomizev1.DeletionPolicyMirrorPrune && !obj.Spec.Prune) {
		return nil
	}
	refs, err := inventory.Stale(obj.Status.Inventory, nil) // every entry, in delete order
	if err != nil {
		return err
	}
	cluster, err := r.Clusters.For(ctx, obj)
	if err != nil {
		// Without a way into the cluster nothing can be deleted; holding the
		// Kustomization forever would block its namespace's deletion too.
		r.Skeleton.Events.Eventf(obj, nil, corev1.EventTypeWarning, kustomizev1.PruneFailedReason, "Finalize",
			"objects not deleted, as the target cluster cannot be reached: %s", err)
		ctrl.LoggerFrom(ctx).Error(err, "garbage collection skipped")
		return nil
	}
	manager := &ssa.Manager{Client: cluster, Owner: r.FieldManager}
	deleted, err := manager.Delete(ctx, refs, ssa.DeleteOptions{OwnerLabels: ownerLabels(obj)})
	s.cluster, s.manager = cluster, manager
	r.report(ctx, s, deleted)
	if err != nil {
		return err
	}
	if policy == kustomizev1.DeletionPolicyWaitForTermination {
		return manager.WaitForTermination(ctx, refs, obj.GetTimeout())
	}
	return nil
}
