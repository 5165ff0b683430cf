package skeleton

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	"github.com/fluxcd/pkg/runtime/controller"
	"github.com/fluxcd/pkg/runtime/events"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
)

// Finalizer is put on every object Tide reconciles, so that its Finalize
// steps run before it disappears. The name is Flux's, so a Tide controller
// can take over objects a Flux controller finalized, and the reverse.
const Finalizer = "finalizers.fluxcd.io"

// Step is one named part of a reconciliation. It returns nil, or an error
// whose kind says what the user sees (see Stall, Wait and Retry).
type Step struct {
	Name string
	Run  func(ctx context.Context) error
}

// StepOf binds run to the state of one reconciliation (a controller's
// scope), so that a plan lists its steps as plain methods.
func StepOf[S any](name string, state S, run func(context.Context, S) error) Step {
	return Step{Name: name, Run: func(ctx context.Context) error { return run(ctx, state) }}
}

// Plan is what a controller asks the skeleton to do with one object.
type Plan struct {
	// Steps run in order while the object lives; the first error stops them.
	Steps []Step
	// Ready gives the reason and message of Ready=True once all Steps passed.
	Ready func() Success
	// Finalize steps run in order when the object is being deleted; the
	// finalizer is removed only after all of them passed.
	Finalize []Step
	// Changes tells, after the steps, what this run changed outside the
	// object (e.g. the objects applied, one per line); empty when nothing.
	// It goes into the outcome's event, so a run sends at most one.
	Changes func() string
	// Record runs once the outcome is in the object's conditions, just
	// before the object is written: for status that keeps a record of
	// outcomes (e.g. a history).
	Record func()
	// EventMetadata gives the metadata of the outcome's event, with Flux's
	// keys (e.g. "revision", "originRevision", "token"); the skeleton
	// prefixes each with the object's API group, as Flux's controllers
	// send them to the notification-controller.
	EventMetadata func() map[string]string
	// SuccessMetadata gives metadata only the success event carries, after
	// EventMetadata's (Flux's "commit_status": "update" and "token"). With
	// it, a successful run that changed something reports the changes in
	// an event of their own first, reason Progressing, as Flux's
	// kustomize-controller sends its change set: the notification-controller
	// gives success events with commit_status to the Git providers only.
	SuccessMetadata func() map[string]string
	// NoSuccessEvent drops the success event SuccessMetadata would send
	// (the changes still go out, reason Progressing): Flux's
	// DisableCommitStatusEvent gate, for users whose Git providers should
	// not get a commit status from this controller.
	NoSuccessEvent bool
}

// Skeleton holds what is shared by every reconciliation of one controller.
type Skeleton struct {
	// Client reads and patches the reconciled objects.
	Client client.Client
	// Events records Kubernetes events (and forwards them to the
	// notification webhook when one is configured).
	Events events.Recorder
	// Metrics records the gotk_* metrics.
	Metrics controller.Metrics
	// Owner is the controller's name: the field manager of its patches.
	Owner string

	written writtenVersions
}

// Run reconciles obj according to plan and writes the outcome into its
// status with a single patch at the end.
func (s *Skeleton) Run(ctx context.Context, obj Object, plan Plan) (result ctrl.Result, err error) {
	start := time.Now()
	log := ctrl.LoggerFrom(ctx)
	if s.written.stale(obj.GetUID(), obj.GetResourceVersion()) {
		log.V(1).Info("the cache has not seen this controller's last write yet; trying again shortly")
		return ctrl.Result{RequeueAfter: staleRetry}, nil
	}
	w, err := newWriter(s.Client, s.Owner, obj)
	if err != nil {
		return ctrl.Result{}, err
	}
	readVersion := obj.GetResourceVersion()
	defer func() {
		// Only a write that changed the stored object (a new version)
		// makes the version read stale.
		switch {
		case !obj.GetDeletionTimestamp().IsZero():
			s.written.forget(obj.GetUID()) // no run after the finalizer goes
		case w.stored != "" && w.stored != readVersion:
			s.written.wrote(obj.GetUID(), append([]string{readVersion}, w.superseded...))
		}
	}()
	readyBefore := conditions.Get(obj, meta.ReadyCondition).DeepCopy()

	if !obj.GetDeletionTimestamp().IsZero() {
		return s.finalize(ctx, obj, w, plan.Finalize)
	}
	if obj.IsSuspended() {
		s.Metrics.RecordSuspend(ctx, obj, true)
		log.Info("reconciliation is suspended for this object")
		return ctrl.Result{}, nil
	}
	s.Metrics.RecordSuspend(ctx, obj, false)

	writeOutcome := true // false when there is nothing to write it into: see begin
	defer func() {
		if !writeOutcome {
			return
		}
		var ok Success
		if err == nil {
			ok = plan.ready()
		}
		result, err = finish(obj, ok, err)
		if plan.Record != nil {
			plan.Record()
		}
		s.report(ctx, obj, readyBefore, ok.EventReason, plan.changes(),
			s.eventMetadata(obj, plan.EventMetadata), s.eventMetadata(obj, plan.SuccessMetadata), plan.NoSuccessEvent, err)
		if werr := w.write(ctx, obj); werr != nil && !errors.Is(werr, errGone) {
			err = errors.Join(err, werr)
		}
		s.record(ctx, obj, start)
	}()

	switch err := s.begin(ctx, obj, w); {
	case errors.Is(err, errGone):
		// Deleted since it was read: no step may act for it, as no
		// finalizer would clean up after them.
		writeOutcome = false
		return ctrl.Result{}, nil
	case apierrors.IsConflict(err):
		// Changed since it was read: nothing to report on, only to retry
		// (with backoff) from the new version.
		writeOutcome = false
		return ctrl.Result{}, err
	case err != nil:
		return ctrl.Result{}, err
	}
	ctx = withProgress(ctx, obj, w)
	for _, step := range plan.Steps {
		if err := step.Run(ctx); err != nil {
			return ctrl.Result{}, fmt.Errorf("%s: %w", step.Name, err)
		}
	}
	return ctrl.Result{}, nil
}

// begin adds the finalizer and, when a new generation would otherwise be
// read against an earlier outcome, shows Reconciling at once. An object
// never reconciled has no outcome to mistake: its observedGeneration
// already says it is in progress (as kstatus reads it), so it costs no
// write; steps that take long say so themselves (see ShowProgress).
func (s *Skeleton) begin(ctx context.Context, obj Object, w *writer) error {
	changed := controllerutil.AddFinalizer(obj, Finalizer)
	if obj.GetObservedGeneration() != obj.GetGeneration() && conditions.Has(obj, meta.ReadyCondition) {
		conditions.MarkReconciling(obj, meta.ProgressingReason,
			"reconciling new object generation (%d)", obj.GetGeneration())
		changed = true
	}
	if !changed {
		return nil
	}
	return w.write(ctx, obj)
}

func (s *Skeleton) finalize(ctx context.Context, obj Object, w *writer, steps []Step) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(obj, Finalizer) {
		return ctrl.Result{}, nil
	}
	for _, step := range steps {
		if err := step.Run(ctx); err != nil {
			s.Events.Eventf(obj, nil, corev1.EventTypeWarning, meta.FailedReason, "Finalize",
				"%s", "deletion blocked: "+err.Error())
			return ctrl.Result{}, fmt.Errorf("finalize %s: %w", step.Name, err)
		}
	}
	controllerutil.RemoveFinalizer(obj, Finalizer)
	switch err := w.write(ctx, obj); {
	case errors.Is(err, errGone):
		return ctrl.Result{}, nil
	case err != nil:
		return ctrl.Result{}, err
	}
	// With the finalizer gone the recorder deletes this object's series.
	s.record(ctx, obj, time.Now())
	return ctrl.Result{}, nil
}

// report sends one event when Ready changed or the run changed something
// (changes), and logs every failure that controller-runtime will not log
// itself (it logs returned errors). successReason, when set, names a
// success event instead of Ready's reason; successMetadata goes with a
// success event only (see Plan.SuccessMetadata).
func (s *Skeleton) report(ctx context.Context, obj Object, readyBefore *metav1.Condition, successReason, changes string,
	metadata, successMetadata map[string]string, noSuccessEvent bool, returned error) {
	ready := conditions.Get(obj, meta.ReadyCondition)
	if ready == nil {
		return
	}
	if ready.Status != metav1.ConditionTrue && returned == nil {
		ctrl.LoggerFrom(ctx).Info("reconciliation did not succeed",
			"reason", ready.Reason, "message", ready.Message)
	}
	readyChanged := readyBefore == nil || readyBefore.Status != ready.Status ||
		readyBefore.Reason != ready.Reason || readyBefore.Message != ready.Message
	if !readyChanged && changes == "" {
		return
	}
	eventType, reason := corev1.EventTypeNormal, ready.Reason
	if ready.Status != metav1.ConditionTrue {
		eventType = corev1.EventTypeWarning
	} else if successReason != "" {
		reason = successReason
	}
	if ready.Status == metav1.ConditionTrue && successMetadata != nil {
		if changes != "" {
			s.Events.AnnotatedEventf(obj, nil, metadata, eventType, meta.ProgressingReason, "Reconcile", "%s", changes)
		}
		if !noSuccessEvent {
			s.Events.AnnotatedEventf(obj, nil, merged(metadata, successMetadata), eventType, reason, "Reconcile", "%s", ready.Message)
		}
		return
	}
	message := ready.Message
	if changes != "" {
		message += "\n" + changes
	}
	s.Events.AnnotatedEventf(obj, nil, metadata, eventType, reason, "Reconcile", "%s", message)
}

func (s *Skeleton) record(ctx context.Context, obj Object, start time.Time) {
	s.Metrics.RecordDuration(ctx, obj, start)
	s.Metrics.RecordReadiness(ctx, obj)
	s.Metrics.RecordReconciling(ctx, obj)
	s.Metrics.RecordStalled(ctx, obj)
}

func (p Plan) changes() string {
	if p.Changes == nil {
		return ""
	}
	return p.Changes()
}

func (p Plan) ready() Success {
	if p.Ready == nil {
		return Success{Reason: meta.ReconciliationSucceededReason, Message: "reconciliation succeeded"}
	}
	return p.Ready()
}
