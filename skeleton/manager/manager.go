// Package manager holds what every Tide controller binary shares: the
// standard flags (named and defaulted as Flux's), and the construction of the
// controller-runtime manager and the reconcile skeleton from them. A
// controller's main adds only its own flags and reconcilers.
package manager

import (
	"flag"
	"fmt"
	"os"
	"time"

	crlog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/fluxcd/pkg/runtime/controller"
	"github.com/fluxcd/pkg/runtime/jitter"
	"github.com/fluxcd/pkg/runtime/leaderelection"
	"github.com/fluxcd/pkg/runtime/logger"
	"github.com/fluxcd/pkg/runtime/metrics"
	"github.com/fluxcd/pkg/runtime/pprof"
	"github.com/fluxcd/pkg/runtime/probes"
	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	ctrlcache "sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlcontroller "sigs.k8s.io/controller-runtime/pkg/controller"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/tidegitops/tide/skeleton"
)

// Options are the flags every Tide controller takes.
type Options struct {
	// Name is the controller's name: field manager, event source, lease name.
	Name string

	MetricsAddr       string
	HealthAddr        string
	EventsAddr        string
	Concurrent        int
	RequeueDependency time.Duration
	// GracefulShutdownTimeout is how long reconciles in flight may run on
	// shutdown; controller-runtime's default (30s) when zero. The
	// helm-controller sets it from --graceful-shutdown-timeout.
	GracefulShutdownTimeout time.Duration

	// QPS and Burst limit the client's requests to the Kubernetes API.
	QPS   float32
	Burst int

	Watch          controller.WatchOptions
	LeaderElection leaderelection.Options
	Log            logger.Options
	RateLimiter    controller.RateLimiterOptions
	Jitter         jitter.IntervalOptions
	// FeatureGates holds the controller's gates (its main adds its own
	// before BindFlags) and what --feature-gates set.
	FeatureGates FeatureGates
	// WatchConfigs restricts the controller's watches of Secrets and
	// ConfigMaps to those matching --watch-configs-label-selector, as
	// Flux's kustomize-controller watches them. Without it a watch of
	// Secrets (metadata only) sees them all.
	WatchConfigs bool

	// flags is the flag set BindFlags filled, for the start-up notices.
	flags *pflag.FlagSet
}

// ControllerOptions are the controller-runtime options of --concurrent and
// the rate limiter flags, for a controller's SetupWithManager.
func (o Options) ControllerOptions() ctrlcontroller.Options {
	return ctrlcontroller.Options{
		MaxConcurrentReconciles: o.Concurrent,
		RateLimiter:             controller.GetRateLimiter(o.RateLimiter),
	}
}

// BindFlags registers the shared flags on fs, plus controller-runtime's
// --kubeconfig, so a controller runs the same in a cluster and as a local
// process with a kubeconfig.
func (o *Options) BindFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.MetricsAddr, "metrics-addr", ":8080", "The address the metric endpoint binds to.")
	fs.StringVar(&o.HealthAddr, "health-addr", ":9440", "The address the health endpoint binds to.")
	fs.StringVar(&o.EventsAddr, "events-addr", "", "The address of the events receiver (notification-controller).")
	concurrent := o.Concurrent // a controller may preset its own default
	if concurrent == 0 {
		concurrent = 2
	}
	fs.IntVar(&o.Concurrent, "concurrent", concurrent, "The number of concurrent reconciles per kind.")
	fs.DurationVar(&o.RequeueDependency, "requeue-dependency", 30*time.Second, "The interval at which failing dependencies are reevaluated.")
	fs.Float32Var(&o.QPS, "kube-api-qps", 50, "The maximum queries-per-second of requests sent to the Kubernetes API.")
	fs.IntVar(&o.Burst, "kube-api-burst", 300, "The maximum burst of requests sent to the Kubernetes API.")
	o.Watch.BindFlags(fs)
	o.LeaderElection.BindFlags(fs)
	o.Log.BindFlags(fs)
	o.RateLimiter.BindFlags(fs)
	o.Jitter.BindFlags(fs)
	o.FeatureGates.Add(GateCacheSecretsAndConfigMaps, GateObjectLevelWorkloadIdentity)
	fs.Var(&o.FeatureGates, "feature-gates", "Feature gates to switch, as Name=true,Other=false, by Flux's gate names.")
	NoEffect(fs, "Tide caches no cloud-provider tokens: "+noWorkloadIdentity, func(fs *pflag.FlagSet) {
		fs.Int("token-cache-max-size", 100, "How many cloud-provider tokens are cached.")
		fs.Duration("token-cache-max-duration", time.Hour, "How long a cloud-provider token is cached at most.")
	})
	fs.AddGoFlagSet(flag.CommandLine)
	o.flags = fs
}

// Config sets up logging from the log flags and finds the Kubernetes API:
// --kubeconfig, $KUBECONFIG, the in-cluster config or ~/.kube/config, with
// the client rate limits of --kube-api-qps and --kube-api-burst, unless the
// apiserver limits requests itself (priority and fairness).
func (o Options) Config() (*rest.Config, error) {
	ctrl.SetLogger(logger.NewLogger(o.Log))
	o.LogNoEffect(ctrl.Log.WithName("setup"))
	// Requeues at spec.interval are spread by the jitter, as in Flux, so
	// that objects created together do not reconcile together forever.
	if _, err := skeleton.SetIntervalJitter(o.Jitter.Percentage); err != nil {
		return nil, fmt.Errorf("invalid --interval-jitter-percentage: %w", err)
	}
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return nil, fmt.Errorf("no Kubernetes API to talk to (set --kubeconfig or KUBECONFIG, or run in a cluster): %w", err)
	}
	cfg.QPS, cfg.Burst = o.QPS, o.Burst
	// Each warning once: the apiserver repeats some on every request (e.g.
	// about the finalizer name Flux chose), which would log a line per
	// reconciliation.
	cfg.WarningHandlerWithContext = crlog.NewKubeAPIWarningLogger(crlog.KubeAPIWarningLoggerOptions{Deduplicate: true})
	if serverLimitsRequests(cfg) {
		cfg.QPS, cfg.Burst = -1, -1 // no client-side limit
	}
	return cfg, nil
}

// New builds the manager for the given kinds: it watches only the runtime
// namespace unless --watch-all-namespaces, only objects of the reconciled
// kinds matching --watch-label-selector (sharding), and with WatchConfigs
// only Secrets and ConfigMaps matching --watch-configs-label-selector. Tests build
// their manager here too, so they read Secrets exactly as production does.
func New(cfg *rest.Config, o Options, scheme *runtime.Scheme, reconciled ...client.Object) (ctrl.Manager, error) {
	cacheOpts := ctrlcache.Options{ByObject: map[client.Object]ctrlcache.ByObject{}}
	selector, err := controller.GetWatchSelector(o.Watch)
	if err != nil {
		return nil, fmt.Errorf("invalid --watch-label-selector: %w", err)
	}
	for _, obj := range reconciled {
		cacheOpts.ByObject[obj] = ctrlcache.ByObject{Label: selector}
	}
	if o.WatchConfigs {
		// The kustomize-controller, for postBuild.substituteFrom, sees
		// only the Secrets and ConfigMaps labelled for it (it watches their
		// metadata only: what changed is read when needed).
		configs, err := labels.Parse(o.Watch.ConfigsLabelSelector)
		if err != nil {
			return nil, fmt.Errorf("invalid --watch-configs-label-selector: %w", err)
		}
		cacheOpts.ByObject[&corev1.Secret{}] = ctrlcache.ByObject{Label: configs}
		cacheOpts.ByObject[&corev1.ConfigMap{}] = ctrlcache.ByObject{Label: configs}
	}
	namespace := os.Getenv("RUNTIME_NAMESPACE")
	if !o.Watch.AllNamespaces {
		if namespace == "" {
			return nil, fmt.Errorf("--watch-all-namespaces=false needs the RUNTIME_NAMESPACE environment variable")
		}
		cacheOpts.DefaultNamespaces = map[string]ctrlcache.Config{namespace: {}}
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme: scheme,
		Cache:  cacheOpts,
		// Secrets and ConfigMaps are read when needed, never cached: caching
		// them would hold every Secret of the cluster in memory.
		Client: client.Options{Cache: &client.CacheOptions{
			DisableFor: []client.Object{&corev1.Secret{}, &corev1.ConfigMap{}},
		}},
		// pprof is served beside the metrics, as in Flux: profile before optimising.
		Metrics:                       metricsserver.Options{BindAddress: o.MetricsAddr, ExtraHandlers: pprof.Endpoints},
		HealthProbeBindAddress:        o.HealthAddr,
		LeaderElection:                o.LeaderElection.Enable,
		LeaderElectionReleaseOnCancel: o.LeaderElection.ReleaseOnCancel,
		LeaseDuration:                 &o.LeaderElection.LeaseDuration,
		RenewDeadline:                 &o.LeaderElection.RenewDeadline,
		RetryPeriod:                   &o.LeaderElection.RetryPeriod,
		LeaderElectionID:              o.LeaderElectionID(),
		LeaderElectionNamespace:       namespace,
		Logger:                        ctrl.Log,
		GracefulShutdownTimeout:       gracefulShutdownTimeout(o.GracefulShutdownTimeout),
	})
	if err != nil {
		return nil, fmt.Errorf("create manager: %w", err)
	}
	probes.SetupChecks(mgr, ctrl.Log.WithName("probes"))
	return mgr, nil
}

// gracefulShutdownTimeout is nil, for controller-runtime's default, when d
// is zero.
func gracefulShutdownTimeout(d time.Duration) *time.Duration {
	if d == 0 {
		return nil
	}
	return &d
}

// LeaderElectionID names the controller's lease as Flux does:
// "<name>-leader-election", and for a shard (--watch-label-selector) the
// first 8 hex digits of the selector's SHA-256 appended, so that two shards
// never share one lease (and one leader).
func (o Options) LeaderElectionID() string {
	id := o.Name + "-leader-election"
	if o.Watch.LabelSelector != "" {
		id = leaderelection.GenerateID(id, o.Watch.LabelSelector)
	}
	return id
}

// NewSkeleton builds the reconcile skeleton for a controller of mgr: events
// go to the Kubernetes API (and to --events-addr when set), metrics to the
// manager's registry.
func NewSkeleton(mgr ctrl.Manager, o Options) (*skeleton.Skeleton, error) {
	recorder, err := newEventRecorder(mgr, o)
	if err != nil {
		return nil, fmt.Errorf("create event recorder: %w", err)
	}
	return &skeleton.Skeleton{
		Client:  mgr.GetClient(),
		Events:  recorder,
		Metrics: controller.NewMetrics(mgr, metrics.MustMakeRecorder(), skeleton.Finalizer),
		Owner:   o.Name,
	}, nil
}
