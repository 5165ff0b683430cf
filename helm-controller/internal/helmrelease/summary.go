package helmrelease

import (
	"fmt"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/skeleton"
)

// retryWait is the wait of the RetryOnFailure strategy.
type retryWait struct{ after time.Duration }

// summary is the condition Ready mirrors, Flux's rule: the first present
// of Remediated (always a failure: the desired state is not released),
// TestSuccess (when tests are enabled and their failures count) and
// Released.
func (s *scope) summary() metav1.Condition {
	obj := s.obj
	if !obj.GetTest().Enable {
		conditions.Delete(obj, helmv2.TestSuccessCondition)
	}
	order := []string{helmv2.RemediatedCondition, helmv2.ReleasedCondition}
	if t := obj.GetTest(); t.Enable && !s.ignoreTestFailures() {
		order = []string{helmv2.RemediatedCondition, helmv2.TestSuccessCondition, helmv2.ReleasedCondition}
	}
	for _, typ := range order {
		if c := conditions.Get(obj, typ); c != nil {
			out := *c
			if typ == helmv2.RemediatedCondition {
				out.Status = metav1.ConditionFalse
				// Flux shows the remediation alone; the failure it
				// remediated is what the user must fix.
				if conditions.IsFalse(obj, helmv2.ReleasedCondition) {
					out.Message += ", after: " + conditions.GetMessage(obj, helmv2.ReleasedCondition)
				}
			}
			if typ == helmv2.TestSuccessCondition && c.Status == metav1.ConditionUnknown {
				continue
			}
			return out
		}
	}
	return metav1.Condition{Status: metav1.ConditionUnknown, Reason: meta.ProgressingReason, Message: "no release yet"}
}

// outcome ends a reconciliation that found the release in sync: Released
// is made to say so (a release remediated earlier may match the desired
// state again), unless post-renderers or common metadata whose release
// failed are still to be released (their change is seen once per
// generation, as in Flux), and Ready follows the summary.
func (s *scope) outcome() error {
	obj := s.obj
	cur := obj.Status.History.Latest()
	if cur != nil && (!conditions.IsTrue(obj, helmv2.ReleasedCondition) || conditions.Has(obj, helmv2.RemediatedCondition)) &&
		s.renderDiffers() == "" {
		conditions.Delete(obj, helmv2.RemediatedCondition)
		conditions.MarkTrue(obj, helmv2.ReleasedCondition, helmv2.UpgradeSucceededReason,
			"Helm upgrade succeeded for release %s with chart %s", cur.FullReleaseName(), cur.VersionedChartName())
	}
	sum := s.summary()
	if sum.Status == metav1.ConditionTrue {
		s.ready = skeleton.Success{Reason: sum.Reason, Message: sum.Message}
		s.observeRender()
		return nil
	}
	return skeleton.Wait(obj.Spec.Interval.Duration, sum.Reason, "%s", sum.Message)
}

// requeue ends a reconciliation that has more to do (after a failure or a
// remediation) with Ready=False as the summary says: again with the
// controller's backoff (Flux's rate-limited requeue), or after the
// RetryOnFailure interval.
func (s *scope) requeue(wait *retryWait) error {
	sum := s.summary()
	if wait != nil {
		return skeleton.Wait(wait.after, sum.Reason, "%s", sum.Message)
	}
	return skeleton.Retryf(sum.Reason, "%s", sum.Message)
}

// stall ends a reconciliation whose retries are used up: Ready=False with
// the summary's reason, Stalled with reason (see recordStalled).
func (s *scope) stall(reason string) error {
	sum := s.summary()
	s.stalledReason = reason
	action := s.obj.Status.LastAttemptedReleaseAction
	count := int64(0)
	if rem := s.obj.GetActiveRemediation(); rem != nil {
		count = rem.GetFailureCount(s.obj)
	}
	return skeleton.Stall(sum.Reason, "%s", fmt.Sprintf("%s (failed to %s after %d attempt(s): fix the chart or values, or ask for a retry with the %s annotation)",
		sum.Message, action, count, helmv2.ResetRequestAnnotation))
}

// recordStalled gives Stalled Flux's reason (RetriesExceeded, ...) once the
// skeleton wrote the outcome: Ready keeps the failed action's reason.
func (s *scope) recordStalled() {
	if s.stalledReason == "" {
		return
	}
	if c := conditions.Get(s.obj, meta.StalledCondition); c != nil && c.Status == metav1.ConditionTrue {
		conditions.MarkStalled(s.obj, s.stalledReason, "%s", c.Message)
	}
}
