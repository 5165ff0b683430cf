package skeleton

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

func TestFinish(t *testing.T) {
	const interval = 5 * time.Minute
	ok := Success{Reason: meta.SucceededReason, Message: "stored artifact for revision main@sha1:abc"}

	type condition struct {
		status metav1.ConditionStatus // "" means absent
		reason string
	}
	tests := []struct {
		name            string
		err             error
		wantReady       condition
		wantReconciling condition
		wantStalled     condition
		wantMessage     string
		wantRequeue     time.Duration
		wantErr         bool
	}{
		{
			name:            "success",
			wantReady:       condition{metav1.ConditionTrue, meta.SucceededReason},
			wantReconciling: condition{},
			wantStalled:     condition{},
			wantMessage:     ok.Message,
			wantRequeue:     interval,
		},
		{
			name:            "stalled: the user must act, no requeue and no backoff",
			err:             fmt.Errorf("fetch: %w", Stall("AuthenticationFailed", "secret 'git' has no 'password' key: add it")),
			wantReady:       condition{metav1.ConditionFalse, "AuthenticationFailed"},
			wantReconciling: condition{},
			wantStalled:     condition{metav1.ConditionTrue, "AuthenticationFailed"},
			wantMessage:     "secret 'git' has no 'password' key: add it",
		},
		{
			name:            "wait: reconciling, requeued after the delay",
			err:             Wait(30*time.Second, meta.DependencyNotReadyReason, "dependency 'infra' is not ready"),
			wantReady:       condition{metav1.ConditionFalse, meta.DependencyNotReadyReason},
			wantReconciling: condition{metav1.ConditionTrue, meta.DependencyNotReadyReason},
			wantStalled:     condition{},
			wantMessage:     "dependency 'infra' is not ready",
			wantRequeue:     30 * time.Second,
		},
		{
			name:            "retry with a reason: error returned for backoff",
			err:             Retryf(sourcev1.GitOperationFailedReason, "dial tcp: connection refused"),
			wantReady:       condition{metav1.ConditionFalse, sourcev1.GitOperationFailedReason},
			wantReconciling: condition{metav1.ConditionTrue, meta.ProgressingWithRetryReason},
			wantStalled:     condition{},
			wantMessage:     "dial tcp: connection refused",
			wantErr:         true,
		},
		{
			name:            "plain error: ReconciliationFailed, error returned for backoff",
			err:             errors.New("etcdserver: request timed out"),
			wantReady:       condition{metav1.ConditionFalse, meta.ReconciliationFailedReason},
			wantReconciling: condition{metav1.ConditionTrue, meta.ProgressingWithRetryReason},
			wantStalled:     condition{},
			wantMessage:     "etcdserver: request timed out",
			wantErr:         true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := &sourcev1.GitRepository{}
			obj.Generation = 7
			obj.Status.ObservedGeneration = 6
			obj.Spec.Interval = metav1.Duration{Duration: interval}
			obj.Annotations = map[string]string{meta.ReconcileRequestAnnotation: "2026-11-26T10:00:00Z"}
			// Left over from an earlier run: each outcome must replace them.
			conditions.MarkStalled(obj, "Old", "old failure")
			conditions.MarkFalse(obj, meta.ReadyCondition, "Old", "old failure")

			result, err := finish(obj, ok, tt.err)

			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error: %v", err, tt.wantErr)
			}
			if result.RequeueAfter != tt.wantRequeue {
				t.Errorf("RequeueAfter = %v, want %v", result.RequeueAfter, tt.wantRequeue)
			}
			assertCondition(t, obj, meta.ReadyCondition, tt.wantReady.status, tt.wantReady.reason)
			assertCondition(t, obj, meta.ReconcilingCondition, tt.wantReconciling.status, tt.wantReconciling.reason)
			assertCondition(t, obj, meta.StalledCondition, tt.wantStalled.status, tt.wantStalled.reason)
			if got := conditions.GetMessage(obj, meta.ReadyCondition); got != tt.wantMessage {
				t.Errorf("Ready message = %q, want %q", got, tt.wantMessage)
			}
			if obj.Status.ObservedGeneration != 7 {
				t.Errorf("observedGeneration = %d, want 7", obj.Status.ObservedGeneration)
			}
			if got := obj.Status.LastHandledReconcileAt; got != "2026-11-26T10:00:00Z" {
				t.Errorf("lastHandledReconcileAt = %q, want the requestedAt annotation", got)
			}
		})
	}
}

func assertCondition(t *testing.T, obj conditions.Getter, typ string, status metav1.ConditionStatus, reason string) {
	t.Helper()
	c := conditions.Get(obj, typ)
	switch {
	case status == "" && c != nil:
		t.Errorf("%s = %s/%s, want it absent", typ, c.Status, c.Reason)
	case status != "" && c == nil:
		t.Errorf("%s absent, want %s/%s", typ, status, reason)
	case c != nil && (c.Status != status || c.Reason != reason):
		t.Errorf("%s = %s/%s, want %s/%s", typ, c.Status, c.Reason, status, reason)
	}
}

// --interval-jitter-percentage spreads the requeue after a success within
// the percentage either way, not the wait of a WaitError; the jitter is
// restored afterwards, as other tests expect none.
func TestFinishJittersRequeue(t *testing.T) {
	previous, err := SetIntervalJitter(50)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = SetIntervalJitter(previous) })

	ok := Success{Reason: meta.SucceededReason, Message: "applied"}
	seen := map[time.Duration]bool{}
	for range 20 {
		obj := &sourcev1.GitRepository{}
		obj.Spec.Interval = metav1.Duration{Duration: time.Hour}
		result, err := finish(obj, ok, nil)
		if err != nil {
			t.Fatal(err)
		}
		if d := result.RequeueAfter; d < 30*time.Minute || d > 90*time.Minute {
			t.Fatalf("requeued 1h interval after %s, outside ±50%%", d)
		}
		seen[result.RequeueAfter] = true
	}
	if len(seen) < 2 {
		t.Errorf("no jitter: 20 successes all requeued after %v", seen)
	}
	result, _ := finish(&sourcev1.GitRepository{}, ok, Wait(30*time.Second, meta.DependencyNotReadyReason, "waiting"))
	if result.RequeueAfter != 30*time.Second {
		t.Errorf("a wait of 30s requeued after %s: only the interval is jittered", result.RequeueAfter)
	}
}

// 100% or more would requeue at once or in the past: refused, and the
// jitter in force is kept.
func TestIntervalJitterOutOfRange(t *testing.T) {
	if _, err := SetIntervalJitter(100); err == nil {
		t.Error("a jitter of 100% accepted")
	}
	if got := IntervalJitter(); got != 0 {
		t.Errorf("jitter after a refused 100%%: %d, want the previous 0", got)
	}
}
