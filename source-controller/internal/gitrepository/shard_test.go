package gitrepository

import (
	"context"
	"testing"
	"time"

	"github.com/fluxcd/pkg/runtime/controller"
	"github.com/fluxcd/pkg/runtime/events"
	"github.com/fluxcd/pkg/runtime/metrics"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	crcontroller "sigs.k8s.io/controller-runtime/pkg/controller"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
	tidemanager "github.com/tidegitops/tide/skeleton/manager"
)

// testShardLabel marks the GitRepositories of a test shard: the suite's
// manager ignores them, and the manager startShard starts for the shard's
// value reconciles them, as a controller started with
// --watch-label-selector would. A test uses one to run a reconciler with
// options other than the suite's.
const testShardLabel = "test.tide.dev/shard"

// startShard runs a reconciler like r (its Client, Skeleton and Storage
// filled in) for the GitRepositories labelled testShardLabel=shard, until
// the test ends.
func startShard(t *testing.T, shard string, r *Reconciler) {
	t.Helper()
	opts := tidemanager.Options{Name: "source-controller", MetricsAddr: "0", HealthAddr: "0"}
	opts.Watch.AllNamespaces = true
	opts.Watch.LabelSelector = testShardLabel + "=" + shard
	mgr, err := tidemanager.New(env.CP.Config, opts, env.CP.Scheme, &sourcev1.GitRepository{})
	if err != nil {
		t.Fatal(err)
	}
	// As tidemanager.NewSkeleton, but with metrics left unregistered: the
	// suite's manager registered the gotk_* ones.
	recorder, err := events.NewRecorder(ctrl.Log.WithName("events"), "", opts.Name, events.WithManager(mgr))
	if err != nil {
		t.Fatal(err)
	}
	skel := &skeleton.Skeleton{Client: mgr.GetClient(), Events: recorder, Owner: opts.Name,
		Metrics: controller.NewMetrics(mgr, metrics.NewRecorder(), skeleton.Finalizer)}
	r.Client, r.Skeleton, r.Storage = mgr.GetClient(), skel, env.Store
	if r.DependencyRequeue == 0 {
		r.DependencyRequeue = 2 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := r.SetupWithManager(ctx, mgr, crcontroller.Options{SkipNameValidation: ptr.To(true)}); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := mgr.Start(ctx); err != nil {
			t.Errorf("shard %s manager: %v", shard, err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// inShard labels a GitRepository for startShard's manager of shard.
func inShard(shard string) func(*sourcev1.GitRepository) {
	return func(o *sourcev1.GitRepository) {
		if o.Labels == nil {
			o.Labels = map[string]string{}
		}
		o.Labels[testShardLabel] = shard
	}
}
