package kustomization

import (
	"context"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
	"github.com/tidegitops/tide/kustomize-controller/internal/ssa"
	"github.com/tidegitops/tide/skeleton"
)

// prune deletes the objects of the previous inventory that this build no
// longer has, then records the new inventory. A build with no objects over a
// non-empty inventory is refused: it is far more often a broken path or
// source than a wish to delete everything.
func (r *Reconciler) prune(ctx context.Context, s *scope) error {
	obj := s.obj
	previous := obj.Status.Inventory
	if !obj.Spec.Prune {
		obj.Status.Inventory = s.applied
		return nil
	}
	if len(s.applied.Entries) == 0 && previous != nil && len(previous.Entries) > 0 && !r.AllowEmptyPrune {
		return skeleton.Stall(kustomizev1.PruneFailedReason,
			"revision %s: the build of path '%s' has no objects, and pruning would delete all %d objects applied before: "+
				"refused. Fix spec.path or the source; to delete everything, delete the Kustomization, "+
				"or run the controller with --allow-empty-prune", s.artifact.Revision, obj.Spec.Path, len(previous.Entries))
	}
	stale, err := inventory.Stale(previous, s.applied)
	if err != nil {
		return skeleton.Retry(kustomizev1.PruneFailedReason, err)
	}
	deleted, err := s.manager.Delete(ctx, stale, ssa.DeleteOptions{OwnerLabels: ownerLabels(obj)})
	r.report(ctx, s, deleted)
	if err != nil {
		// Keep the stale objects in the inventory, so that the next attempt
		// (or the finalizer) still knows about those not deleted yet.
		obj.Status.Inventory = inventory.Union(s.applied, previous)
		return skeleton.Retry(kustomizev1.PruneFailedReason, err)
	}
	obj.Status.Inventory = s.applied
	return nil
}
