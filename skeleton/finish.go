package skeleton

import (
	"errors"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	ctrl "sigs.k8s.io/controller-runtime"
)

// Success is what a plan reports when all its steps passed: the reason and
// message of Ready=True.
type Success struct {
	Reason  string
	Message string
	// EventReason, when set, is the reason of the success event instead of
	// Reason: Flux's sources report a new artifact as NewArtifact while
	// their Ready reason stays Succeeded.
	EventReason string
}

// finish writes the outcome of one reconciliation into obj's conditions and
// status and returns what controller-runtime should do next. It is the only
// place where errors become conditions.
//
//   - nil: Ready=True; Reconciling and Stalled removed; requeue after the
//     object's interval.
//   - StalledError: Stalled=True and Ready=False with its reason; no requeue
//     and no error, so no backoff: the user must change something.
//   - WaitError: Ready=False and Reconciling=True with its reason; requeue
//     after its delay.
//   - anything else: Ready=False with its reason, Reconciling=True
//     (ProgressingWithRetry); the error is returned for backoff.
//
// In every case observedGeneration becomes the object's generation and the
// latest reconcile request is recorded as handled.
func finish(obj Object, ok Success, err error) (ctrl.Result, error) {
	obj.SetObservedGeneration(obj.GetGeneration())
	if token, found := meta.ReconcileAnnotationValue(obj.GetAnnotations()); found {
		obj.SetLastHandledReconcileRequest(token)
	}

	var stalled *StalledError
	var wait *WaitError
	switch {
	case err == nil:
		conditions.Delete(obj, meta.ReconcilingCondition)
		conditions.Delete(obj, meta.StalledCondition)
		conditions.MarkTrue(obj, meta.ReadyCondition, ok.Reason, "%s", ok.Message)
		// --interval-jitter-percentage spreads the next run, as in Flux.
		return ctrl.Result{RequeueAfter: jittered(obj.GetRequeueAfter())}, nil

	case errors.As(err, &stalled):
		conditions.Delete(obj, meta.ReconcilingCondition)
		conditions.MarkStalled(obj, stalled.Reason, "%s", stalled.Message)
		conditions.MarkFalse(obj, meta.ReadyCondition, stalled.Reason, "%s", stalled.Message)
		return ctrl.Result{}, nil

	case errors.As(err, &wait):
		conditions.Delete(obj, meta.StalledCondition)
		conditions.MarkReconciling(obj, wait.Reason, "%s", wait.Message)
		conditions.MarkFalse(obj, meta.ReadyCondition, wait.Reason, "%s", wait.Message)
		return ctrl.Result{RequeueAfter: wait.After}, nil

	default:
		conditions.Delete(obj, meta.StalledCondition)
		conditions.MarkReconciling(obj, meta.ProgressingWithRetryReason, "%s", err.Error())
		conditions.MarkFalse(obj, meta.ReadyCondition, ReasonOf(err), "%s", err.Error())
		return ctrl.Result{}, err
	}
}
