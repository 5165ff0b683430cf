package kustomization

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/kustomize-controller/internal/drift"
	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
)

// driftWatchFailedReason is the reason of the warning sent when what a
// Kustomization applied cannot be watched.
const driftWatchFailedReason = "DriftWatchFailed"

// watched reports whether drift of obj's objects is watched: on the local
// cluster only (a remote cluster's objects are checked at each interval).
func (r *Reconciler) watched(obj *kustomizev1.Kustomization) bool {
	return r.Drift != nil && obj.Spec.KubeConfig == nil
}

func driftKey(obj *kustomizev1.Kustomization) types.NamespacedName {
	return types.NamespacedName{Namespace: obj.Namespace, Name: obj.Name}
}

// lastCheck returns the last full check this run may rely on instead of a
// dry-run and apply of its own, if the build turns out to be the one that
// check applied: drift of obj's objects is watched, nothing of them drifted
// since (the watches reported nothing), the spec is the same, and no
// reconcile was requested. Once the check is --drift-safety-interval-factor
// intervals old, the safety check runs: it compares the resourceVersions
// the informers hold with those of the check, without a request to the
// apiserver, and renews the check if none moved; the objects that did
// change (in any way: a status update too) are dry-run and applied again
// (see toApply).
func (r *Reconciler) lastCheck(ctx context.Context, s *scope) (drift.Check, bool) {
	obj := s.obj
	if !r.watched(obj) {
		if r.Drift != nil {
			r.Drift.Forget(driftKey(obj)) // moved to a remote cluster
		}
		return drift.Check{}, false
	}
	if r.DriftSafetyFactor <= 1 || reconcileRequested(obj) {
		return drift.Check{}, false
	}
	key := driftKey(obj)
	check, ok := r.Drift.Unchanged(key)
	if !ok || check.UID != obj.UID || check.Generation != obj.Generation {
		return drift.Check{}, false
	}
	interval := obj.GetRequeueAfter()
	// Half an interval of slack: the jitter may bring the Nth run early.
	if time.Since(check.At)+interval/2 < time.Duration(r.DriftSafetyFactor)*interval {
		return check, true
	}
	changed, ok := r.Drift.Recheck(key)
	if !ok {
		return drift.Check{}, false
	}
	if len(changed) > 0 {
		ctrl.LoggerFrom(ctx).V(1).Info("safety check: applied objects changed since the last full check; checking them",
			"objects", changed)
		s.recheck, s.recheckOf = map[string]bool{}, check
		for _, id := range changed {
			s.recheck[id] = true
		}
		return drift.Check{}, false
	}
	r.Drift.Renew(key, s.start)
	ctrl.LoggerFrom(ctx).V(1).Info("safety check: no applied object changed since the last full check",
		"checked", check.At.Format(time.RFC3339))
	return check, true
}

// skipApply makes this run rely on check, whose build it has: no dry-run
// and no apply. What the skipped apply would have found is what the last
// one found.
func (r *Reconciler) skipApply(ctx context.Context, s *scope, check drift.Check, applied *kustomizev1.ResourceInventory) {
	s.applied = applied
	s.skipped = check.Skipped
	s.unchanged = true
	// The same revision again (the interval): nothing to record, so that
	// a steady state writes nothing.
	s.quiet = s.artifact.Revision == s.obj.Status.LastAppliedRevision && conditions.IsReady(s.obj)
	ctrl.LoggerFrom(ctx).V(1).Info("build unchanged since the last full check and nothing drifted: apply skipped",
		"revision", s.artifact.Revision, "checked", check.At.Format(time.RFC3339))
}

// reconcileRequested reports a reconcile.fluxcd.io/requestedAt not handled
// yet: it asks for a full check.
func reconcileRequested(obj *kustomizev1.Kustomization) bool {
	token, found := meta.ReconcileAnnotationValue(obj.GetAnnotations())
	return found && token != obj.Status.LastHandledReconcileAt
}

// beginCheck marks the start of a full check: events from now on are news.
func (r *Reconciler) beginCheck(obj *kustomizev1.Kustomization) {
	if r.watched(obj) {
		r.Drift.Begin(driftKey(obj))
	}
}

// watchApplied watches the kinds of what was applied, before anything is
// pruned (so that the prune's deletions are not taken for drift). A kind
// that cannot be watched gets one warning: its objects are checked at each
// interval, as without watches.
func (r *Reconciler) watchApplied(ctx context.Context, s *scope) {
	obj := s.obj
	if !r.watched(obj) {
		return
	}
	refs, err := inventory.Refs(s.applied)
	if err != nil {
		return
	}
	failed := r.Drift.Watch(ctx, driftKey(obj), refs)
	if len(failed) == 0 {
		return
	}
	msg := fmt.Sprintf("drift of what this Kustomization applied cannot be watched (%s): it is corrected at each interval (%s) instead; "+
		"allow the controller to list and watch these kinds", errors.Join(failed...), obj.GetRequeueAfter())
	ctrl.LoggerFrom(ctx).Info(msg)
	r.Skeleton.Events.Eventf(obj, nil, corev1.EventTypeWarning, driftWatchFailedReason, "Reconcile", "%s", msg)
}

// rememberCheck records a full, successful check, which later runs of the
// same build may rely on (see lastCheck).
func (r *Reconciler) rememberCheck(s *scope) {
	if !r.watched(s.obj) || s.unchanged {
		return
	}
	r.Drift.Verified(driftKey(s.obj), drift.Check{UID: s.obj.UID, Generation: s.obj.Generation,
		Digest: s.buildDigest, At: s.start, Skipped: s.skipped})
}

// forgetDrift lets go of the watches of a Kustomization being deleted or gone.
func (r *Reconciler) forgetDrift(key types.NamespacedName) {
	if r.Drift != nil {
		r.Drift.Forget(key)
	}
	r.builds.forget(key)
}
