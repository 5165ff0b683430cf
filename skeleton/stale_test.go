package skeleton

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// A run that reads its object from a cache that has not seen the last run's
// write yet must not decide on that stale copy: here the stale copy already
// says Ready, the stored one says the last run's Progressing, and a run on
// the stale copy would find nothing to write, leaving Progressing forever.
// It waits for the cache instead, and the next fresh read writes the outcome.
func TestRunWaitsForItsOwnLastWrite(t *testing.T) {
	h, counted := countingHarness(t)
	key := createRepo(t)
	ready := func() Success { return Success{Reason: meta.SucceededReason, Message: "stored artifact"} }
	if _, _, err := h.run(t, key, Plan{Ready: ready}); err != nil {
		t.Fatal(err)
	}
	stale := &sourcev1.GitRepository{} // what a lagging cache would hand out next
	if err := cp.Client.Get(context.Background(), key, stale); err != nil {
		t.Fatal(err)
	}
	progressing := Step{Name: "fetch", Run: func(context.Context) error {
		return Wait(1, meta.ProgressingReason, "the source has a new artifact")
	}}
	if _, err := h.skeleton.Run(context.Background(), stale.DeepCopy(), Plan{Steps: []Step{progressing}, Ready: ready}); err != nil {
		t.Fatal(err)
	}
	counted.take()

	result, err := h.skeleton.Run(context.Background(), stale.DeepCopy(), Plan{Ready: ready})
	if err != nil {
		t.Fatal(err)
	}
	// Without the wait it would write nothing either (the stale copy equals
	// the outcome), but come back only after the interval.
	if metadata, status := counted.take(); metadata != 0 || status != 0 || result.RequeueAfter <= 0 || result.RequeueAfter > time.Second {
		t.Errorf("run on a copy from before its own last write: %d metadata and %d status patches, requeue after %s; want none, and a retry within a second",
			metadata, status, result.RequeueAfter)
	}

	obj, _, err := h.run(t, key, Plan{Ready: ready}) // the cache caught up
	if err != nil && !errors.Is(err, errGone) {
		t.Fatal(err)
	}
	stored := &sourcev1.GitRepository{}
	if err := cp.Client.Get(context.Background(), key, stored); err != nil {
		t.Fatal(err)
	}
	if !conditions.IsReady(stored) {
		t.Errorf("stored Ready after a fresh run = %+v, want True (run saw %+v)",
			conditions.Get(stored, meta.ReadyCondition), conditions.Get(obj, meta.ReadyCondition))
	}
}

// A run that showed progress wrote its object twice; a cache that has seen
// only the progress write hands out a copy that is just as stale as one from
// before the run, and a run on it must wait too.
func TestRunWaitsPastItsOwnProgressWrite(t *testing.T) {
	h, counted := countingHarness(t)
	key := createRepo(t)
	ready := func() Success { return Success{Reason: meta.SucceededReason, Message: "stored artifact"} }
	if _, _, err := h.run(t, key, Plan{Ready: ready}); err != nil {
		t.Fatal(err)
	}
	mid := &sourcev1.GitRepository{} // the object as the progress write left it
	showing := Step{Name: "upgrade", Run: func(ctx context.Context) error {
		ShowProgress(ctx, "running the upgrade")
		return cp.Client.Get(ctx, key, mid)
	}}
	start := &sourcev1.GitRepository{}
	if err := cp.Client.Get(context.Background(), key, start); err != nil {
		t.Fatal(err)
	}
	if _, err := h.skeleton.Run(context.Background(), start, Plan{Steps: []Step{showing}, Ready: ready}); err != nil {
		t.Fatal(err)
	}
	if !conditions.IsReconciling(mid) {
		t.Fatalf("the copy read during the step shows no progress: %+v", mid.Status.Conditions)
	}
	counted.take()

	result, err := h.skeleton.Run(context.Background(), mid.DeepCopy(), Plan{Ready: ready})
	if err != nil {
		t.Fatal(err)
	}
	if metadata, status := counted.take(); metadata != 0 || status != 0 || result.RequeueAfter <= 0 || result.RequeueAfter > time.Second {
		t.Errorf("run on the copy its own progress write left: %d metadata and %d status patches, requeue after %s; want none, and a retry within a second",
			metadata, status, result.RequeueAfter)
	}
}
