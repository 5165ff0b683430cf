// Command kustomize-controller reconciles Kustomization objects: it builds a
// folder of a source artifact with kustomize and keeps the cluster equal to
// the result. It runs in a cluster, or as a local process with --kubeconfig.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	// Public CA roots, used where the system has none: the image's empty
	// base has no CA bundle.
	_ "golang.org/x/crypto/x509roots/fallback"
	ctrl "sigs.k8s.io/controller-runtime"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/kustomize-controller/internal/artifact"
	"github.com/tidegitops/tide/kustomize-controller/internal/kustomization"
	tidemanager "github.com/tidegitops/tide/skeleton/manager"
)

const controllerName = "kustomize-controller"

type options struct {
	tidemanager.Options
	reconcile       kustomization.Options
	kubeConfig      kustomization.KubeConfigOptions
	artifactDir     string
	maxArtifactSize int64
	healthInterval  time.Duration
	stageKinds      string
	httpRetry       int
}

// newOptions presets what differs from the shared defaults.
func newOptions() options {
	return options{Options: tidemanager.Options{Name: controllerName, Concurrent: 4}}
}

func main() {
	tidemanager.Main(controllerName, newOptions, (*options).bindFlags, run)
}

// bindFlags declares the controller's flags on fs: the shared ones, its
// own, and those of Flux's kustomize-controller Tide has no feature for
// (flags.go).
func (opts *options) bindFlags(fs *pflag.FlagSet) {
	opts.reconcile.FieldManager = controllerName
	opts.FeatureGates.Add(kustomizeGates...)
	opts.BindFlags(fs)
	fs.BoolVar(&opts.reconcile.NoCrossNamespaceRefs, "no-cross-namespace-refs", false,
		"Refuse sources and dependencies in another namespace than the Kustomization's.")
	fs.BoolVar(&opts.reconcile.NoRemoteBases, "no-remote-bases", false,
		"Refuse kustomize resources and components fetched from remote URLs; only the source's files are built.")
	fs.StringVar(&opts.reconcile.DefaultServiceAccount, "default-service-account", "",
		"The service account impersonated when a Kustomization names none.")
	fs.IntVar(&opts.reconcile.ConcurrentSSA, "concurrent-ssa", 4,
		"How many server-side apply requests one Kustomization sends at once.")
	fs.StringArrayVar(&opts.reconcile.OverrideManagers, "override-manager", nil,
		"A field manager (a name prefix) whose fields of applied objects are taken over, as kubectl's are, so that what Git does not set is removed (repeatable).")
	fs.StringVar(&opts.stageKinds, "custom-apply-stage-kinds", "",
		"Comma-separated group/Kind list (e.g. rbac.authorization.k8s.io/Role) applied in a stage of their own, after the CRDs and Namespaces and before the other objects.")
	fs.BoolVar(&opts.reconcile.AllowEmptyPrune, "allow-empty-prune", false,
		"Let a build that yields no objects prune everything its Kustomization applied before.")
	opts.kubeConfig.BindFlags(fs)
	fs.StringVar(&opts.artifactDir, "artifact-dir", filepath.Join(os.TempDir(), "kustomize-controller-artifacts"),
		"Where downloaded artifacts are unpacked, once per digest.")
	fs.Int64Var(&opts.maxArtifactSize, "max-artifact-size", 100<<20,
		"The largest artifact accepted, in bytes, compressed and unpacked.")
	fs.IntVar(&opts.httpRetry, "http-retry", 9,
		"How many times a failed artifact download (unreachable, HTTP 429 or 5xx) is tried again, waiting 5s doubling up to 30s in between.")
	fs.DurationVar(&opts.healthInterval, "health-check-interval", 2*time.Second,
		"How often health checks read the objects they wait for.")
	fs.IntVar(&opts.reconcile.DriftSafetyFactor, "drift-safety-interval-factor", 10,
		"A Kustomization whose build is unchanged and whose applied objects did not drift (they are watched) skips the dry-run and apply; once its last full check is this many intervals old, a safety check compares the applied objects' resourceVersions in the watch caches with those of that check, without a request, and dry-runs and applies again those that changed; 1 checks in full at every interval.")
	bindFluxOnlyFlags(fs)
}

func run(opts options) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	opts.applyGates()
	if opts.reconcile.CustomStageKinds, err = parseStageKinds(opts.stageKinds); err != nil {
		return err
	}
	scheme := newScheme()
	mgr, err := tidemanager.New(cfg, opts.Options, scheme, &kustomizev1.Kustomization{})
	if err != nil {
		return err
	}
	artifacts, err := artifact.NewCache(opts.artifactDir, artifact.Options{MaxSize: opts.maxArtifactSize, Retries: opts.httpRetry})
	if err != nil {
		return fmt.Errorf("artifact cache at --artifact-dir %s: %w", opts.artifactDir, err)
	}
	skel, err := tidemanager.NewSkeleton(mgr, opts.Options)
	if err != nil {
		return err
	}
	opts.reconcile.DependencyRequeue = opts.RequeueDependency
	reconciler := &kustomization.Reconciler{
		Client:         mgr.GetClient(),
		APIReader:      mgr.GetAPIReader(),
		Skeleton:       skel,
		Artifacts:      artifacts,
		Clusters:       kustomization.NewClusters(cfg, mgr.GetHTTPClient(), mgr.GetRESTMapper(), scheme, mgr.GetClient(), opts.reconcile.DefaultServiceAccount).WithKubeConfigOptions(opts.kubeConfig),
		HealthInterval: opts.healthInterval,
		Options:        opts.reconcile,
	}
	ctx := ctrl.SetupSignalHandler()
	if reconciler.Drift, err = newDriftWatcher(ctx, cfg, mgr, opts.reconcile.FieldManager); err != nil {
		return err
	}
	if err := reconciler.SetupWithManager(ctx, mgr, opts.ControllerOptions()); err != nil {
		return fmt.Errorf("set up Kustomization controller: %w", err)
	}
	ctrl.Log.Info("starting", "artifact-dir", opts.artifactDir)
	return mgr.Start(ctx)
}

func newScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(sourcev1.AddToScheme(scheme))
	utilruntime.Must(kustomizev1.AddToScheme(scheme))
	return scheme
}
