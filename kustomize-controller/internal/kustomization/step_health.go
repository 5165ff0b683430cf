package kustomization

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	"k8s.io/apimachinery/pkg/runtime/schema"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/clusterkit/health"
	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
	"github.com/tidegitops/tide/skeleton"
)

// checkHealth waits, within spec.timeout, until the applied objects (with
// spec.wait) or those of spec.healthChecks are healthy. It gives up early
// when one fails, and when the source has a newer revision, so that the
// next revision is not stuck behind a rollout that will never finish.
func (r *Reconciler) checkHealth(ctx context.Context, s *scope) error {
	obj := s.obj
	refs, err := healthRefs(obj, s.applied, s.skipped)
	if err != nil {
		return skeleton.Stall(kustomizev1.HealthCheckFailedReason, "%s", err)
	}
	if len(refs) == 0 {
		conditions.Delete(obj, kustomizev1.HealthyCondition)
		return nil
	}
	start := time.Now()
	err = r.checker(s.cluster).Wait(ctx, refs, health.Options{
		Timeout: obj.GetTimeout(),
		Exprs:   obj.Spec.HealthCheckExprs,
		Abort:   r.newerRevision(obj, s.artifact.Revision),
		// Shown only when there is something to wait for: a run whose
		// objects are healthy at once writes its status once.
		Waiting: func(unhealthy []health.Result) {
			skeleton.ShowProgress(ctx, "waiting for %d of %d objects to become healthy (revision %s, timeout %s)",
				len(unhealthy), len(refs), s.artifact.Revision, obj.GetTimeout())
		},
	})
	var aborted *health.AbortedError
	switch {
	case errors.As(err, &aborted):
		conditions.MarkUnknown(obj, kustomizev1.HealthyCondition, meta.ProgressingReason, "%s", aborted.Reason)
		return skeleton.Wait(time.Millisecond, meta.ProgressingReason, "health check of revision %s stopped: %s",
			s.artifact.Revision, aborted.Reason)
	case err != nil:
		conditions.MarkFalse(obj, kustomizev1.HealthyCondition, kustomizev1.HealthCheckFailedReason, "%s", err)
		return retryLater(obj, kustomizev1.HealthCheckFailedReason, "revision %s: %s", s.artifact.Revision, err)
	}
	conditions.MarkTrue(obj, kustomizev1.HealthyCondition, meta.SucceededReason,
		"health check passed in %s", time.Since(start).Round(time.Millisecond))
	return nil
}

// healthRefs returns what to check: with spec.wait, what the apply wrote or
// found unchanged, but not the objects it skipped (left to others, they may
// never become healthy); without, spec.healthChecks (namespace defaulting to
// the Kustomization's). Never the Kustomization itself: one that applies
// itself would wait for its own Ready. Flux leaves out the same objects.
func healthRefs(obj *kustomizev1.Kustomization, applied *kustomizev1.ResourceInventory, skipped map[string]bool) ([]inventory.ObjectRef, error) {
	refs, err := healthCandidates(obj, applied)
	if err != nil {
		return nil, err
	}
	checked := refs[:0:0]
	for _, ref := range refs {
		if !(obj.Spec.Wait && skipped[ref.ID()]) && !isSelf(obj, ref) {
			checked = append(checked, ref)
		}
	}
	return checked, nil
}

func healthCandidates(obj *kustomizev1.Kustomization, applied *kustomizev1.ResourceInventory) ([]inventory.ObjectRef, error) {
	if obj.Spec.Wait {
		return inventory.Refs(applied)
	}
	refs := make([]inventory.ObjectRef, 0, len(obj.Spec.HealthChecks))
	for _, hc := range obj.Spec.HealthChecks {
		gv, err := schema.ParseGroupVersion(hc.APIVersion)
		if err != nil {
			return nil, fmt.Errorf("spec.healthChecks: invalid apiVersion '%s' of %s/%s", hc.APIVersion, hc.Kind, hc.Name)
		}
		namespace := hc.Namespace
		if namespace == "" {
			namespace = obj.Namespace
		}
		refs = append(refs, inventory.ObjectRef{Group: gv.Group, Version: gv.Version, Kind: hc.Kind,
			Namespace: namespace, Name: hc.Name})
	}
	return refs, nil
}

// isSelf reports whether ref is the Kustomization obj.
func isSelf(obj *kustomizev1.Kustomization, ref inventory.ObjectRef) bool {
	return ref.Group == kustomizev1.GroupVersion.Group && ref.Kind == kustomizev1.KustomizationKind &&
		ref.Namespace == obj.Namespace && ref.Name == obj.Name
}

// newerRevision tells a running health check that the source has moved on.
func (r *Reconciler) newerRevision(obj *kustomizev1.Kustomization, revision string) func(context.Context) string {
	return func(ctx context.Context) string {
		current, err := r.currentRevision(ctx, obj)
		if err != nil || current == "" || current == revision {
			return ""
		}
		return fmt.Sprintf("the source has a newer revision %s", current)
	}
}
