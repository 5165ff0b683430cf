package kustomization

import (
	"context"
	"errors"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
	"github.com/tidegitops/tide/kustomize-controller/internal/ssa"
	"github.com/tidegitops/tide/skeleton"
)

// apply server-side applies the built objects, without the fields of
// spec.ignore: all are validated by a dry-run first, so one
// invalid object means none is applied. What changed
// goes into an event and the log.
func (r *Reconciler) apply(ctx context.Context, s *scope) error {
	obj := s.obj
	cluster, err := r.Clusters.For(ctx, obj)
	if err != nil {
		return clusterFailed(obj, err)
	}
	s.cluster = cluster
	s.manager = r.newManager(cluster)
	if s.unchanged { // decided by the build step
		return nil
	}
	r.beginCheck(obj)
	objects := s.toApply()
	ignored := s.ignore.Drop(objects)

	changes, err := s.manager.Apply(ctx, objects, ssa.ApplyOptions{
		Force: obj.Spec.Force, WaitTimeout: obj.GetTimeout(),
		Ignored: func(o *unstructured.Unstructured) [][]string { return ignored[o] }})
	var invalid *ssa.InvalidError
	switch {
	case errors.As(err, &invalid):
		return retryLater(obj, kustomizev1.ReconciliationFailedReason, "revision %s: %s", s.artifact.Revision, err)
	case err != nil:
		return skeleton.Retryf(kustomizev1.ReconciliationFailedReason, "revision %s: %w", s.artifact.Revision, err)
	}
	s.applied = inventory.New(s.objects)
	s.skipped = skippedIDs(changes)
	if len(objects) < len(s.objects) {
		for id := range s.recheckOf.Skipped { // left alone then, and not looked at again
			if !s.recheck[id] {
				s.skipped[id] = true
			}
		}
	}
	r.report(ctx, s, changes)
	r.watchApplied(ctx, s)
	return nil
}

// toApply returns the objects this run dry-runs and applies: all of them,
// but after a safety check that found only some changed since the last
// full check, with the build that check applied (the others are known to
// be as that check left them: their resourceVersions did not move).
func (s *scope) toApply() []*unstructured.Unstructured {
	if s.recheck == nil || s.recheckOf.Digest != s.buildDigest {
		return s.objects
	}
	var objects []*unstructured.Unstructured
	for _, o := range s.objects {
		if s.recheck[inventory.RefOf(o).ID()] {
			objects = append(objects, o)
		}
	}
	return objects
}

// newManager returns the applier of the controller's flags (--concurrent-ssa,
// --override-manager, --custom-apply-stage-kinds) for cluster: the one
// place they are read, so apply, prune and the finalizer follow the same.
func (r *Reconciler) newManager(cluster client.Client) *ssa.Manager {
	return &ssa.Manager{Client: cluster, Owner: r.FieldManager, Concurrency: r.ConcurrentSSA,
		OverrideManagers: r.OverrideManagers, CustomStageKinds: r.CustomStageKinds}
}

// report logs every change and keeps it for the run's event, which lists
// them as Flux does ("ConfigMap/apps/web configured", one per line).
func (r *Reconciler) report(ctx context.Context, s *scope, changes ssa.ChangeSet) {
	if !changes.Changed() {
		return
	}
	lines := changedLines(changes)
	ctrl.LoggerFrom(ctx).Info("server-side apply completed", "revision", s.artifact.Revision, "changes", lines)
	s.changes = append(s.changes, lines...)
}

// skippedIDs returns the inventory IDs of the objects the apply skipped.
func skippedIDs(changes ssa.ChangeSet) map[string]bool {
	ids := map[string]bool{}
	for _, c := range changes {
		if c.Action == ssa.Skipped {
			ids[c.Ref.ID()] = true
		}
	}
	return ids
}

// changedLines lists the changes other than unchanged and skipped objects.
func changedLines(changes ssa.ChangeSet) []string {
	var lines []string
	for _, c := range changes {
		if c.Action != ssa.Unchanged && c.Action != ssa.Skipped {
			lines = append(lines, c.Ref.String()+" "+string(c.Action))
		}
	}
	return lines
}
