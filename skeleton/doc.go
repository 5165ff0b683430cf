// Package skeleton is the one reconcile loop every Tide controller runs.
//
// A controller's Reconcile fetches its object and hands it to Skeleton.Run
// with a Plan: the ordered steps that make the object's world match its spec,
// and the steps that clean up when it is deleted. The skeleton owns the rest,
// the same way for every kind: the finalizer, suspend, the single status
// finisher (Ready, Reconciling and Stalled as kstatus reads them,
// observedGeneration, lastHandledReconcileAt), one event when Ready changed
// or the run changed something (two when a plan has SuccessMetadata: the
// changes, then the success), a log line for every failure, and the
// gotk_* metrics. It writes only what changed: the outcome in one status patch,
// the finalizer in one metadata patch, and progress only where someone could
// be misled or kept waiting (Reconciling at the start of a new generation
// over an earlier outcome, ShowProgress from a step that waits). At scale, a
// controller's own status writes are a large part of the apiserver's load.
//
// A step reports how it failed through the error it returns (see Stall, Wait
// and Retry); finish turns that error into conditions and a ctrl.Result in
// exactly one place.
package skeleton
