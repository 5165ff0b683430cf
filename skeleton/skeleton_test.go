package skeleton

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	"github.com/fluxcd/pkg/runtime/controller"
	"github.com/fluxcd/pkg/runtime/events"
	"github.com/fluxcd/pkg/runtime/metrics"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

type harness struct {
	skeleton *Skeleton
	events   *events.FakeRecorder
	registry *prometheus.Registry
}

func newHarness() *harness {
	rec := metrics.NewRecorder()
	registry := prometheus.NewRegistry()
	registry.MustRegister(rec.Collectors()...)
	fake := events.NewFakeRecorder(10, false)
	return &harness{
		skeleton: &Skeleton{
			Client:  cp.Client,
			Events:  fake,
			Metrics: controller.Metrics{Scheme: cp.Scheme, MetricsRecorder: rec},
			Owner:   "skeleton-test",
		},
		events:   fake,
		registry: registry,
	}
}

// run reads the object fresh, as a controller's Reconcile does, and runs plan.
func (h *harness) run(t *testing.T, key client.ObjectKey, plan Plan) (*sourcev1.GitRepository, time.Duration, error) {
	t.Helper()
	obj := &sourcev1.GitRepository{}
	if err := cp.Client.Get(context.Background(), key, obj); err != nil {
		t.Fatal(err)
	}
	result, err := h.skeleton.Run(context.Background(), obj, plan)
	return obj, result.RequeueAfter, err
}

func (h *harness) nextEvent(t *testing.T) corev1.Event {
	t.Helper()
	select {
	case e := <-h.events.Events:
		return e
	default:
		t.Fatal("no event recorded")
		return corev1.Event{}
	}
}

func createRepo(t *testing.T) client.ObjectKey {
	t.Helper()
	obj := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{Name: "repo", Namespace: testkit.NewNamespace(t, cp.Client)},
		Spec:       sourcev1.GitRepositorySpec{URL: "https://example.invalid/x.git", Interval: metav1.Duration{Duration: time.Minute}},
	}
	if err := cp.Client.Create(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
	return client.ObjectKeyFromObject(obj)
}

func TestRunPersistsOutcomes(t *testing.T) {
	h := newHarness()
	key := createRepo(t)
	stored := func() *sourcev1.GitRepository {
		obj := &sourcev1.GitRepository{}
		if err := cp.Client.Get(context.Background(), key, obj); err != nil {
			t.Fatal(err)
		}
		return obj
	}

	// A step the user must fix: Stalled in the apiserver, a warning event.
	_, requeue, err := h.run(t, key, Plan{Steps: []Step{{Name: "auth", Run: func(context.Context) error {
		return Stall(sourcev1.AuthenticationFailedReason, "secret 'git' not found: create it")
	}}}})
	if err != nil || requeue != 0 {
		t.Fatalf("stalled run returned (%v, %v), want no error and no requeue", requeue, err)
	}
	obj := stored()
	if !controllerutil.ContainsFinalizer(obj, Finalizer) {
		t.Error("finalizer not added")
	}
	if !conditions.IsStalled(obj) || conditions.IsReady(obj) || obj.Status.ObservedGeneration != 1 {
		t.Errorf("stored status = %+v, want Stalled, not Ready, observedGeneration 1", obj.Status)
	}
	if e := h.nextEvent(t); e.Type != corev1.EventTypeWarning || e.Reason != sourcev1.AuthenticationFailedReason {
		t.Errorf("event = %s/%s, want Warning/%s", e.Type, e.Reason, sourcev1.AuthenticationFailedReason)
	}

	// The user fixed it: Ready, Stalled gone, a normal event, requeue at the interval.
	steps := 0
	_, requeue, err = h.run(t, key, Plan{
		Steps: []Step{{Name: "a", Run: func(context.Context) error { steps++; return nil }},
			{Name: "b", Run: func(context.Context) error { steps++; return nil }}},
		Ready: func() Success { return Success{Reason: meta.SucceededReason, Message: "stored artifact"} },
	})
	if err != nil || requeue != time.Minute || steps != 2 {
		t.Fatalf("run returned (%v, %v) after %d steps, want requeue 1m after 2 steps", requeue, err, steps)
	}
	obj = stored()
	if !conditions.IsReady(obj) || conditions.Has(obj, meta.StalledCondition) || conditions.Has(obj, meta.ReconcilingCondition) {
		t.Errorf("stored conditions = %+v, want only Ready=True", obj.Status.Conditions)
	}
	if e := h.nextEvent(t); e.Type != corev1.EventTypeNormal || e.Message != "stored artifact" {
		t.Errorf("event = %s %q, want Normal %q", e.Type, e.Message, "stored artifact")
	}

	// Nothing changed: no event on a repeated success.
	if _, _, err := h.run(t, key, Plan{Ready: func() Success { return Success{Reason: meta.SucceededReason, Message: "stored artifact"} }}); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-h.events.Events:
		t.Errorf("unexpected event on an unchanged outcome: %s %q", e.Reason, e.Message)
	default:
	}

	// A transient failure: the error comes back for backoff and is stored.
	_, _, err = h.run(t, key, Plan{Steps: []Step{{Name: "fetch", Run: func(context.Context) error {
		return Retryf(sourcev1.GitOperationFailedReason, "connection refused")
	}}}})
	if err == nil {
		t.Fatal("transient failure returned no error: controller-runtime would not back off")
	}
	obj = stored()
	if got := conditions.Get(obj, meta.ReadyCondition); got.Reason != sourcev1.GitOperationFailedReason || got.Message != "fetch: connection refused" {
		t.Errorf("Ready = %s %q, want %s %q", got.Reason, got.Message, sourcev1.GitOperationFailedReason, "fetch: connection refused")
	}

	if n := durationSamples(t, h.registry); n != 4 {
		t.Errorf("gotk_reconcile_duration_seconds has %d samples, want one per run (4)", n)
	}
}

func TestRunSuspendedRunsNoStep(t *testing.T) {
	h := newHarness()
	key := createRepo(t)
	obj := &sourcev1.GitRepository{}
	if err := cp.Client.Get(context.Background(), key, obj); err != nil {
		t.Fatal(err)
	}
	obj.Spec.Suspend = true
	if err := cp.Client.Update(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
	_, requeue, err := h.run(t, key, Plan{Steps: []Step{{Name: "never", Run: func(context.Context) error {
		t.Error("a step ran while the object is suspended")
		return nil
	}}}})
	if err != nil || requeue != 0 {
		t.Fatalf("suspended run returned (%v, %v), want nothing to do", requeue, err)
	}
}

func TestRunFinalizesOnDeletion(t *testing.T) {
	h := newHarness()
	key := createRepo(t)
	if _, _, err := h.run(t, key, Plan{}); err != nil { // adds the finalizer
		t.Fatal(err)
	}
	obj := &sourcev1.GitRepository{}
	if err := cp.Client.Get(context.Background(), key, obj); err != nil {
		t.Fatal(err)
	}
	if err := cp.Client.Delete(context.Background(), obj); err != nil {
		t.Fatal(err)
	}

	// A failing finalize step keeps the object, so nothing is left behind.
	blocked := errors.New("storage not writable")
	if _, _, err := h.run(t, key, Plan{Finalize: []Step{{Name: "gc", Run: func(context.Context) error { return blocked }}}}); !errors.Is(err, blocked) {
		t.Fatalf("finalize error = %v, want %v", err, blocked)
	}
	if err := cp.Client.Get(context.Background(), key, obj); err != nil {
		t.Fatalf("object gone although its finalize step failed: %v", err)
	}

	cleaned := false
	if _, _, err := h.run(t, key, Plan{Finalize: []Step{{Name: "gc", Run: func(context.Context) error { cleaned = true; return nil }}}}); err != nil {
		t.Fatal(err)
	}
	if !cleaned {
		t.Error("finalize step did not run")
	}
	testkit.WaitForDeletion(t, cp.Client, obj)
}

func durationSamples(t *testing.T, registry *prometheus.Registry) uint64 {
	t.Helper()
	families, err := registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "gotk_reconcile_duration_seconds" {
			var n uint64
			for _, m := range f.GetMetric() {
				n += m.GetHistogram().GetSampleCount()
			}
			return n
		}
	}
	return 0
}

func TestEventMetadataIsPrefixedWithTheObjectsGroup(t *testing.T) {
	h := newHarness()
	key := createRepo(t)
	_, _, err := h.run(t, key, Plan{
		Ready: func() Success { return Success{Reason: meta.SucceededReason, Message: "stored artifact"} },
		EventMetadata: func() map[string]string {
			return map[string]string{"revision": "main@sha1:abc", "originRevision": ""}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	e := h.nextEvent(t)
	want := map[string]string{"source.toolkit.fluxcd.io/revision": "main@sha1:abc"}
	if len(e.Annotations) != 1 || e.Annotations["source.toolkit.fluxcd.io/revision"] != want["source.toolkit.fluxcd.io/revision"] {
		t.Errorf("event metadata = %v, want %v (empty values left out)", e.Annotations, want)
	}
}

// A plan may name its success event's reason (a source's NewArtifact, as
// Flux): Ready keeps its own reason, and a failure's event keeps Ready's.
func TestSuccessEventReasonIsThePlans(t *testing.T) {
	h := newHarness()
	key := createRepo(t)
	obj, _, err := h.run(t, key, Plan{
		Ready: func() Success {
			return Success{Reason: meta.SucceededReason, Message: "stored artifact", EventReason: "NewArtifact"}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := conditions.GetReason(obj, meta.ReadyCondition); r != meta.SucceededReason {
		t.Errorf("Ready reason = %q, want %q", r, meta.SucceededReason)
	}
	if e := h.nextEvent(t); e.Type != corev1.EventTypeNormal || e.Reason != "NewArtifact" {
		t.Errorf("success event = %s %s, want Normal NewArtifact", e.Type, e.Reason)
	}
}

// Success metadata (Flux's commit_status and token) goes with the success
// event only; the changes of that run go first in an event of their own,
// reason Progressing, without it, as Flux's kustomize-controller sends
// them.
func TestSuccessMetadataGoesWithTheSuccessEventOnly(t *testing.T) {
	h := newHarness()
	key := createRepo(t)
	_, _, err := h.run(t, key, Plan{
		Ready:         func() Success { return Success{Reason: meta.SucceededReason, Message: "applied revision 1"} },
		Changes:       func() string { return "ConfigMap/apps/web created" },
		EventMetadata: func() map[string]string { return map[string]string{"revision": "main@sha1:abc"} },
		SuccessMetadata: func() map[string]string {
			return map[string]string{"commit_status": "update", "token": "t1"}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	const g = "source.toolkit.fluxcd.io/"
	changes := h.nextEvent(t)
	if changes.Reason != meta.ProgressingReason || changes.Message != "ConfigMap/apps/web created" ||
		changes.Annotations[g+"revision"] != "main@sha1:abc" || changes.Annotations[g+"commit_status"] != "" {
		t.Errorf("changes event = %s %q %v, want Progressing with the changes and the revision only",
			changes.Reason, changes.Message, changes.Annotations)
	}
	success := h.nextEvent(t)
	want := map[string]string{g + "revision": "main@sha1:abc", g + "commit_status": "update", g + "token": "t1"}
	if success.Reason != meta.SucceededReason || success.Message != "applied revision 1" || !maps.Equal(success.Annotations, want) {
		t.Errorf("success event = %s %q %v, want %s %q %v",
			success.Reason, success.Message, success.Annotations, meta.SucceededReason, "applied revision 1", want)
	}
}

// NoSuccessEvent (Flux's DisableCommitStatusEvent gate) drops the success
// event, the one Git providers turn into a commit status; the changes still
// go out.
func TestNoSuccessEventKeepsOnlyTheChanges(t *testing.T) {
	h := newHarness()
	key := createRepo(t)
	_, _, err := h.run(t, key, Plan{
		Ready:           func() Success { return Success{Reason: meta.SucceededReason, Message: "applied revision 1"} },
		Changes:         func() string { return "ConfigMap/apps/web created" },
		EventMetadata:   func() map[string]string { return map[string]string{"revision": "main@sha1:abc"} },
		SuccessMetadata: func() map[string]string { return map[string]string{"commit_status": "update"} },
		NoSuccessEvent:  true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if changes := h.nextEvent(t); changes.Reason != meta.ProgressingReason {
		t.Errorf("first event = %s %q, want the changes (Progressing)", changes.Reason, changes.Message)
	}
	select {
	case e := <-h.events.Events:
		t.Errorf("unexpected event %s %q %v: the success event must be dropped", e.Reason, e.Message, e.Annotations)
	default:
	}
}
