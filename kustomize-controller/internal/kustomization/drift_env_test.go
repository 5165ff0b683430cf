package kustomization

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/controller"
	"github.com/fluxcd/pkg/runtime/events"
	"github.com/fluxcd/pkg/runtime/metrics"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	ctrlcontroller "sigs.k8s.io/controller-runtime/pkg/controller"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/kustomize-controller/internal/artifact"
	"github.com/tidegitops/tide/kustomize-controller/internal/drift"
	"github.com/tidegitops/tide/skeleton"
	tidemanager "github.com/tidegitops/tide/skeleton/manager"
)

// shard is a controller of its own for the drift tests, reconciling only
// the Kustomizations labelled for it (the suite's controller leaves them
// alone), so that a test can count its requests and reconciliations, give
// its watches other credentials, and stop and start it again.
type shard struct {
	reconciler *Reconciler
	drift      *drift.Watcher
	requests   *requestLog
	metrics    *metrics.Recorder
	stop       func()
}

type shardOptions struct {
	// factor is --drift-safety-interval-factor.
	factor int
	// watchAs, when set, is the user the watches impersonate.
	watchAs string
}

// startShard starts the controller of shard name; it stops with the test.
func startShard(t *testing.T, name string, o shardOptions) *shard {
	t.Helper()
	requests := &requestLog{}
	cfg := rest.CopyConfig(env.cp.Config)
	cfg.WrapTransport = requests.wrap
	opts := tidemanager.Options{Name: "kustomize-controller", MetricsAddr: "0", HealthAddr: "0"}
	opts.Watch.AllNamespaces = true
	opts.Watch.LabelSelector = shardLabel + "=" + name
	opts.Watch.ConfigsLabelSelector = meta.LabelKeyWatch + "=" + meta.LabelValueWatchEnabled
	opts.WatchConfigs = true
	mgr, err := tidemanager.New(cfg, opts, env.cp.Scheme, &kustomizev1.Kustomization{})
	if err != nil {
		t.Fatal(err)
	}
	recorder, err := events.NewRecorder(ctrl.Log.WithName("events"), "", opts.Name, events.WithManager(mgr))
	if err != nil {
		t.Fatal(err)
	}
	rec := metrics.NewRecorder()
	cache, err := artifact.NewCache(t.TempDir(), artifact.Options{MaxSize: maxArtifactSize})
	if err != nil {
		t.Fatal(err)
	}
	watchCfg := cfg
	if o.watchAs != "" {
		watchCfg = rest.CopyConfig(cfg)
		watchCfg.Impersonate = rest.ImpersonationConfig{UserName: o.watchAs}
	}
	md, err := metadata.NewForConfig(watchCfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Reconciler{
		Client:         mgr.GetClient(),
		APIReader:      mgr.GetAPIReader(),
		Skeleton:       &skeleton.Skeleton{Client: mgr.GetClient(), Events: recorder, Metrics: controller.NewMetrics(mgr, rec, skeleton.Finalizer), Owner: opts.Name},
		Artifacts:      cache,
		Clusters:       NewClusters(cfg, mgr.GetHTTPClient(), mgr.GetRESTMapper(), env.cp.Scheme, mgr.GetClient(), ""),
		HealthInterval: 200 * time.Millisecond,
		Drift:          drift.NewWatcher(ctx, md, mgr.GetRESTMapper(), "kustomize-controller"),
		Options: Options{FieldManager: "kustomize-controller", DependencyRequeue: time.Second,
			NoCrossNamespaceRefs: true, NoRemoteBases: true, DriftSafetyFactor: o.factor},
	}
	if err := r.SetupWithManager(ctx, mgr, ctrlcontroller.Options{MaxConcurrentReconciles: 2, SkipNameValidation: ptr(true)}); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := mgr.Start(ctx); err != nil {
			t.Log("shard manager:", err)
		}
	}()
	var once sync.Once
	s := &shard{reconciler: r, drift: r.Drift, requests: requests, metrics: rec, stop: func() { once.Do(func() { cancel(); <-done }) }}
	t.Cleanup(s.stop)
	return s
}

// onShard labels a Kustomization for shard name.
func onShard(name string) func(*kustomizev1.Kustomization) {
	return func(ks *kustomizev1.Kustomization) {
		ks.Labels = map[string]string{shardLabel: name}
	}
}

// reconciles counts the reconciliations of ks the shard ran to the end
// (those that recorded their duration).
func (s *shard) reconciles(ks *kustomizev1.Kustomization) uint64 {
	var n uint64
	for _, c := range s.metrics.Collectors() {
		ch := make(chan prometheus.Metric, 64)
		go func() { c.Collect(ch); close(ch) }()
		for m := range ch {
			var d dto.Metric
			if m.Write(&d) != nil || d.Histogram == nil {
				continue
			}
			labels := map[string]string{}
			for _, l := range d.Label {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["name"] == ks.Name && labels["namespace"] == ks.Namespace {
				n += d.Histogram.GetSampleCount()
			}
		}
	}
	return n
}

// requestLog records the shard's requests to the apiserver.
type requestLog struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (l *requestLog) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		l.mu.Lock()
		l.reqs = append(l.reqs, r)
		l.mu.Unlock()
		return rt.RoundTrip(r)
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// objectRequests counts the requests, since mark, about the objects applied
// in ns (not Kustomizations, sources or events): dry-runs, and the others.
// Paths ending in one of except (e.g. a substituteFrom ConfigMap read) are
// not counted either.
func (l *requestLog) objectRequests(ns string, mark int, except ...string) (dryRuns, others int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.reqs[mark:] {
		p := r.URL.Path
		if slices.ContainsFunc(except, func(e string) bool { return strings.HasSuffix(p, e) }) {
			continue
		}
		if !strings.Contains(p, "/namespaces/"+ns+"/") || strings.Contains(p, "/kustomizations") ||
			strings.Contains(p, "/gitrepositories") || strings.Contains(p, "/events") || r.URL.Query().Get("watch") == "true" {
			continue
		}
		if r.URL.Query().Get("dryRun") != "" {
			dryRuns++
		} else {
			others++
		}
	}
	return dryRuns, others
}

// mark returns the position from which objectRequests counts.
func (l *requestLog) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.reqs)
}
