// Command helm-controller reconciles HelmRelease objects: it installs the
// chart of a source artifact with the Helm v4 SDK and keeps the release,
// its tests and its remediation in step with the spec. It runs in a
// cluster, or as a local process with --kubeconfig.
package main

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	// Public CA roots, used where the system has none: the image's empty
	// base has no CA bundle.
	_ "golang.org/x/crypto/x509roots/fallback"
	ctrl "sigs.k8s.io/controller-runtime"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/clusterkit/access"
	tidemanager "github.com/tidegitops/tide/skeleton/manager"
)

const controllerName = "helm-controller"

// options are the controller's flags. The reconciler reads them from
// here: run maps them into its own options.
type options struct {
	tidemanager.Options
	gates                helmGates
	noCrossNamespaceRefs bool
	httpTimeout          time.Duration
	snapshotDigestAlgo   string
	defaultSA            string
	kubeConfig           access.KubeConfigOptions
}

// newOptions presets what differs from the shared defaults: Flux's
// helm-controller runs 4 reconciles at once and gives Helm actions in
// flight 10 minutes to end on shutdown, so that a release is not left
// pending.
func newOptions() options {
	return options{Options: tidemanager.Options{Name: controllerName, Concurrent: 4}}
}

func main() {
	tidemanager.Main(controllerName, newOptions, (*options).bindFlags, run)
}

// bindFlags declares the controller's flags on fs: the shared ones, its
// own, and those of Flux's helm-controller Tide has no feature for
// (flags.go).
func (opts *options) bindFlags(fs *pflag.FlagSet) {
	opts.FeatureGates.Add(helmGateList...)
	opts.BindFlags(fs)
	fs.DurationVar(&opts.GracefulShutdownTimeout, "graceful-shutdown-timeout", 600*time.Second,
		"How long Helm actions in flight may run on shutdown before the controller stops anyway (a release cut short is left pending).")
	fs.BoolVar(&opts.noCrossNamespaceRefs, "no-cross-namespace-refs", false,
		"Refuse chart sources, values and dependencies in another namespace than the HelmRelease's.")
	fs.DurationVar(&opts.httpTimeout, "http-timeout", 30*time.Second,
		"The timeout of one chart download.")
	fs.StringVar(&opts.snapshotDigestAlgo, "snapshot-digest-algo", "sha256",
		"The digest algorithm of the release snapshots in status.history; Tide computes sha256 only.")
	fs.StringVar(&opts.defaultSA, "default-service-account", "",
		"The service account impersonated, in the HelmRelease's namespace, when a HelmRelease names none.")
	opts.kubeConfig.BindFlags(fs)
	bindFluxOnlyFlags(fs)
}

func run(opts options) error {
	if opts.snapshotDigestAlgo != "sha256" {
		return fmt.Errorf("--snapshot-digest-algo=%s: Tide computes release snapshot digests with sha256 only; drop the flag", opts.snapshotDigestAlgo)
	}
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	opts.applyGates()
	scheme := newScheme()
	mgr, err := tidemanager.New(cfg, opts.Options, scheme, &helmv2.HelmRelease{})
	if err != nil {
		return err
	}
	ctx := ctrl.SetupSignalHandler()
	if err := setupHelmReleases(ctx, cfg, mgr, opts); err != nil {
		return err
	}
	ctrl.Log.Info("starting")
	return mgr.Start(ctx)
}

func newScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(sourcev1.AddToScheme(scheme))
	utilruntime.Must(helmv2.AddToScheme(scheme))
	return scheme
}
