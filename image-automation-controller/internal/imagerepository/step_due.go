package imagerepository

import (
	"context"
	"slices"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/tidegitops/tide/skeleton"
)

// checkDue decides whether this run scans, as Flux decides: when the
// repository was never scanned, a reconcile was requested, the image or
// the exclusion list changed, the store has no tags for it (its volume was
// lost), the last run failed, or spec.interval has passed since the last
// scan. Otherwise the
// run only confirms the last scan's outcome.
func (r *Reconciler) checkDue(ctx context.Context, s *scope) error {
	s.scanReason = r.scanReason(s, time.Now())
	if s.scanReason != "" {
		ctrl.LoggerFrom(ctx).Info("scanning", "reason", s.scanReason)
		skeleton.ShowProgress(ctx, "scanning: %s", s.scanReason)
	}
	return nil
}

func (r *Reconciler) scanReason(s *scope, now time.Time) string {
	obj := s.obj
	last := obj.Status.LastScanResult
	if last == nil {
		return "first scan"
	}
	if conditions.IsFalse(obj, meta.ReadyCondition) {
		return "retrying after a failed run"
	}
	if token, ok := meta.ReconcileAnnotationValue(obj.GetAnnotations()); ok && token != obj.Status.GetLastHandledReconcileRequest() {
		return "reconcile requested"
	}
	if s.repo.String() != obj.Status.CanonicalImageName {
		return "new image name"
	}
	if !sameElements(obj.GetExclusionList(), obj.Status.ObservedExclusionList) {
		return "updated exclusion list"
	}
	if tags, err := r.Tags.Tags(s.key); err != nil || tags == nil {
		return "no tags in the store"
	}
	if now.Sub(last.ScanTime.Time) >= obj.Spec.Interval.Duration-time.Second {
		return "triggered by interval"
	}
	return ""
}

func sameElements(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}
