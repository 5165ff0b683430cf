package skeleton

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// writes counts the patches a skeleton sends to the apiserver, by target.
type writes struct {
	mu       sync.Mutex
	metadata int
	status   int
}

func (w *writes) take() (metadata, status int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	metadata, status = w.metadata, w.status
	w.metadata, w.status = 0, 0
	return metadata, status
}

// countingHarness is a harness whose skeleton writes through a real client
// that counts its patches.
func countingHarness(t *testing.T) (*harness, *writes) {
	t.Helper()
	real, err := client.NewWithWatch(cp.Config, client.Options{Scheme: cp.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	counted := &writes{}
	h := newHarness()
	h.skeleton.Client = interceptor.NewClient(real, interceptor.Funcs{
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, p client.Patch, opts ...client.PatchOption) error {
			counted.mu.Lock()
			counted.metadata++
			counted.mu.Unlock()
			return c.Patch(ctx, obj, p, opts...)
		},
		SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, p client.Patch, opts ...client.SubResourcePatchOption) error {
			counted.mu.Lock()
			counted.status++
			counted.mu.Unlock()
			return c.SubResource(sub).Patch(ctx, obj, p, opts...)
		},
	})
	return h, counted
}

// The apiserver's load from a controller is mostly its own writes: a new
// object costs one finalizer patch and one status patch, an unchanged
// outcome none, and a new generation one more, to show Reconciling at once.
func TestRunWritesOnlyWhatChanged(t *testing.T) {
	h, counted := countingHarness(t)
	key := createRepo(t)
	ready := func() Success { return Success{Reason: meta.SucceededReason, Message: "stored artifact"} }

	if _, _, err := h.run(t, key, Plan{Ready: ready}); err != nil {
		t.Fatal(err)
	}
	if metadata, status := counted.take(); metadata != 1 || status != 1 {
		t.Errorf("first run: %d metadata and %d status patches, want 1 and 1", metadata, status)
	}
	stored := &sourcev1.GitRepository{}
	if err := cp.Client.Get(context.Background(), key, stored); err != nil {
		t.Fatal(err)
	}
	if !conditions.IsReady(stored) || stored.Status.ObservedGeneration != stored.Generation || len(stored.Finalizers) != 1 {
		t.Fatalf("stored after the first run: finalizers %v, status %+v; want the finalizer, Ready and observedGeneration", stored.Finalizers, stored.Status)
	}

	if _, _, err := h.run(t, key, Plan{Ready: ready}); err != nil {
		t.Fatal(err)
	}
	if metadata, status := counted.take(); metadata != 0 || status != 0 {
		t.Errorf("unchanged run: %d metadata and %d status patches, want none", metadata, status)
	}

	stored.Spec.Interval = metav1.Duration{Duration: 2 * stored.Spec.Interval.Duration}
	if err := cp.Client.Update(context.Background(), stored); err != nil {
		t.Fatal(err)
	}
	var seen *metav1.Condition
	step := Step{Name: "look", Run: func(ctx context.Context) error {
		obj := &sourcev1.GitRepository{}
		err := cp.Client.Get(ctx, key, obj)
		seen = conditions.Get(obj, meta.ReconcilingCondition)
		return err
	}}
	if _, _, err := h.run(t, key, Plan{Steps: []Step{step}, Ready: ready}); err != nil {
		t.Fatal(err)
	}
	if seen == nil || seen.Status != metav1.ConditionTrue {
		t.Errorf("during a new generation's run the stored Reconciling was %v, want True", seen)
	}
	if metadata, status := counted.take(); metadata != 0 || status != 2 {
		t.Errorf("new generation: %d metadata and %d status patches, want 0 and 2", metadata, status)
	}
}

// A step that will take long shows it at once, in the stored object.
func TestShowProgressWritesReconciling(t *testing.T) {
	h := newHarness()
	key := createRepo(t)
	var seen *metav1.Condition
	step := Step{Name: "wait", Run: func(ctx context.Context) error {
		ShowProgress(ctx, "waiting for %d rollouts", 3)
		obj := &sourcev1.GitRepository{}
		err := cp.Client.Get(ctx, key, obj)
		seen = conditions.Get(obj, meta.ReconcilingCondition)
		return err
	}}
	obj, _, err := h.run(t, key, Plan{Steps: []Step{step}})
	if err != nil {
		t.Fatal(err)
	}
	if seen == nil || seen.Status != metav1.ConditionTrue || seen.Message != "waiting for 3 rollouts" {
		t.Errorf("stored Reconciling during the step = %+v, want True with the step's message", seen)
	}
	if conditions.Has(obj, meta.ReconcilingCondition) {
		t.Error("Reconciling stays after the run succeeded")
	}
}

// What a run changed goes into its one event: with the new outcome when
// Ready changed, alone when it did not.
func TestRunReportsChangesInOneEvent(t *testing.T) {
	h := newHarness()
	key := createRepo(t)
	ready := func() Success { return Success{Reason: meta.SucceededReason, Message: "applied revision 1"} }
	changes := "ConfigMap/apps/web created"

	if _, _, err := h.run(t, key, Plan{Ready: ready, Changes: func() string { return changes }}); err != nil {
		t.Fatal(err)
	}
	if e := h.nextEvent(t); e.Type != corev1.EventTypeNormal || e.Message != "applied revision 1\n"+changes {
		t.Errorf("event = %s %q, want Normal with the outcome and the changes", e.Type, e.Message)
	}
	if len(h.events.Events) != 0 {
		t.Errorf("%d more events, want one per run", len(h.events.Events))
	}

	changes = "ConfigMap/apps/web configured"
	if _, _, err := h.run(t, key, Plan{Ready: ready, Changes: func() string { return changes }}); err != nil {
		t.Fatal(err)
	}
	if e := h.nextEvent(t); e.Message != "applied revision 1\n"+changes {
		t.Errorf("event with Ready unchanged = %q, want the changes", e.Message)
	}
}

// An object deleted since it was read gets no step run for it (no
// finalizer would clean up after them) and no error.
func TestRunOnDeletedObjectRunsNoStep(t *testing.T) {
	h := newHarness()
	key := createRepo(t)
	stale := &sourcev1.GitRepository{}
	if err := cp.Client.Get(context.Background(), key, stale); err != nil {
		t.Fatal(err)
	}
	if err := cp.Client.Delete(context.Background(), stale.DeepCopy()); err != nil {
		t.Fatal(err)
	}
	testkit.WaitForDeletion(t, cp.Client, stale)

	ran := false
	_, err := h.skeleton.Run(context.Background(), stale, Plan{Steps: []Step{{Name: "apply", Run: func(context.Context) error {
		ran = true
		return nil
	}}}})
	if err != nil || ran {
		t.Errorf("Run on a deleted object: error %v, step ran %v; want neither", err, ran)
	}
}

// Adding the finalizer to an object read before another writer added
// theirs fails (and is retried) rather than dropping theirs.
func TestRunKeepsOtherFinalizers(t *testing.T) {
	h := newHarness()
	key := createRepo(t)
	stale := &sourcev1.GitRepository{}
	if err := cp.Client.Get(context.Background(), key, stale); err != nil {
		t.Fatal(err)
	}
	other := stale.DeepCopy()
	other.Finalizers = []string{"example.com/other"}
	if err := cp.Client.Update(context.Background(), other); err != nil {
		t.Fatal(err)
	}

	ran := false
	plan := Plan{Steps: []Step{{Name: "apply", Run: func(context.Context) error { ran = true; return nil }}}}
	if _, err := h.skeleton.Run(context.Background(), stale, plan); !apierrors.IsConflict(err) || ran {
		t.Fatalf("Run on a stale object: error %v, step ran %v; want a Conflict and no step", err, ran)
	}
	if _, _, err := h.run(t, key, plan); err != nil || !ran {
		t.Fatalf("Run on the current object: error %v, step ran %v", err, ran)
	}
	obj := &sourcev1.GitRepository{}
	if err := cp.Client.Get(context.Background(), key, obj); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(obj.Finalizers, []string{"example.com/other", Finalizer}) {
		t.Errorf("finalizers = %v, want the other writer's and %s", obj.Finalizers, Finalizer)
	}
}
