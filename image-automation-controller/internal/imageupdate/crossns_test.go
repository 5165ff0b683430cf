package imageupdate

import (
	"context"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/runtime/controller"
	"github.com/fluxcd/pkg/runtime/events"
	"github.com/fluxcd/pkg/runtime/metrics"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	ctrlcontroller "sigs.k8s.io/controller-runtime/pkg/controller"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/skeleton"
	tidemanager "github.com/tidegitops/tide/skeleton/manager"
	"github.com/tidegitops/tide/testkit"
)

// shardLabel puts an automation on a controller started by a test (Flux's
// sharding label); the suite's controller leaves such automations alone.
const shardLabel = "sharding.fluxcd.io/key"

// startStrictShard runs a second controller, with --no-cross-namespace-refs,
// for the automations labelled for shard "strict"; it stops with the test.
func startStrictShard(t *testing.T) {
	t.Helper()
	opts := tidemanager.Options{Name: "image-automation-controller", MetricsAddr: "0", HealthAddr: "0"}
	opts.Watch.AllNamespaces = true
	opts.Watch.LabelSelector = shardLabel + "=strict"
	mgr, err := tidemanager.New(env.cp.Config, opts, env.cp.Scheme, &imagev1.ImageUpdateAutomation{})
	if err != nil {
		t.Fatal(err)
	}
	recorder, err := events.NewRecorder(ctrl.Log.WithName("events"), "", opts.Name, events.WithManager(mgr))
	if err != nil {
		t.Fatal(err)
	}
	skel := &skeleton.Skeleton{Client: mgr.GetClient(), Events: recorder,
		Metrics: controller.NewMetrics(mgr, metrics.NewRecorder(), skeleton.Finalizer), Owner: opts.Name}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Reconciler{Client: mgr.GetClient(), Skeleton: skel, Options: Options{NoCrossNamespaceRefs: true}}
	skip := true
	if err := r.SetupWithManager(ctx, mgr, ctrlcontroller.Options{MaxConcurrentReconciles: 2, SkipNameValidation: &skip}); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := mgr.Start(ctx); err != nil {
			t.Log("strict shard:", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
}

func onStrictShard(a *imagev1.ImageUpdateAutomation) {
	a.Labels = map[string]string{shardLabel: "strict"}
}

// TestNoCrossNamespaceRefs: with --no-cross-namespace-refs a GitRepository
// of another namespace is refused (Stalled, nothing pushed); one of the
// automation's namespace is used, and a marker naming a policy of another
// namespace is left as it is (an automation only uses the policies of its
// own namespace, flag or not).
func TestNoCrossNamespaceRefs(t *testing.T) {
	startStrictShard(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	other := testkit.NewNamespace(t, env.cp.Client)
	srv := testkit.StartGitServer(t)
	theirs := strings.ReplaceAll(marked(other), "web", "api")
	base := srv.NewRepo(t, "fleet").Write("web.yaml", marked(ns)).Write("api.yaml", theirs).Commit("init")
	newGitRepository(t, other, srv.HTTPURL("fleet"))
	newPolicy(t, ns, "web", "ghcr.io/org/web", "2.0.0", nil)
	newPolicy(t, other, "api", "ghcr.io/org/api", "2.0.0", nil)

	auto := newAutomation(ns, onStrictShard, func(a *imagev1.ImageUpdateAutomation) {
		a.Spec.SourceRef.Namespace = other
	})
	// The suite's cache does not see the shard's automations: create directly.
	if err := env.cp.Client.Create(context.Background(), auto); err != nil {
		t.Fatal(err)
	}
	got := waitReady(t, auto, metav1.ConditionFalse, imagev1.InvalidSourceConfigReason)
	g := NewWithT(t)
	g.Expect(readyMessage(got)).To(ContainSubstring("cross-namespace references are disabled"))
	g.Expect(readyMessage(got)).To(ContainSubstring("put the GitRepository in namespace '" + ns + "'"))
	g.Expect(got.Status.Conditions).To(ContainElement(And(
		HaveField("Type", "Stalled"), HaveField("Status", metav1.ConditionTrue))))
	waitForEvent(t, auto, "Warning", imagev1.InvalidSourceConfigReason, "cross-namespace references are disabled")
	g.Expect(remoteHead(t, srv, "fleet", "master").Hash.String()).To(Equal(base))

	// The fix the message asks for: a GitRepository of its own namespace.
	newGitRepository(t, ns, srv.HTTPURL("fleet"))
	update(t, auto, func() { auto.Spec.SourceRef.Namespace = "" })
	got = waitReady(t, auto, metav1.ConditionTrue, "Succeeded")
	head := remoteHead(t, srv, "fleet", "master")
	g.Expect(got.Status.LastPushCommit).To(Equal(head.Hash.String()))
	g.Expect(fileAt(t, head, "web.yaml")).To(ContainSubstring("ghcr.io/org/web:2.0.0 #"))
	g.Expect(fileAt(t, head, "api.yaml")).To(Equal(theirs))
	g.Expect(got.Status.ObservedPolicies).NotTo(HaveKey("api"))
}
