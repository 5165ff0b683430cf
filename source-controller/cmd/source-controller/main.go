// Command source-controller reconciles GitRepository objects into tarball
// artifacts and serves them over HTTP. It runs in a cluster, or as a local
// process with --kubeconfig.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	// Public CA roots, used where the system has none: the image's empty
	// base has no CA bundle.
	_ "golang.org/x/crypto/x509roots/fallback"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/gitclient"
	tidemanager "github.com/tidegitops/tide/skeleton/manager"
	"github.com/tidegitops/tide/source-controller/internal/artifactserver"
	"github.com/tidegitops/tide/source-controller/internal/gitrepository"
	"github.com/tidegitops/tide/source-controller/internal/ocirepository"
	"github.com/tidegitops/tide/source-controller/internal/storage"
)

const controllerName = "source-controller"

type options struct {
	tidemanager.Options
	storagePath      string
	storageAddr      string
	storageAdvAddr   string
	retentionTTL     time.Duration
	retentionRecords int
	digestAlgorithm  string
	ssh              gitclient.SSHAlgorithms
	helmIndex        helmIndexFlags
	helmChart        helmChartFlags
}

// newOptions presets what differs from the shared defaults.
func newOptions() options {
	return options{Options: tidemanager.Options{Name: controllerName}}
}

func main() {
	tidemanager.Main(controllerName, newOptions, (*options).bindFlags, run)
}

// bindFlags declares the controller's flags on fs: the shared ones, its
// own, and those of Flux's source-controller Tide has no feature for
// (flags.go).
func (opts *options) bindFlags(fs *pflag.FlagSet) {
	opts.FeatureGates.Add(sourceGates...)
	opts.BindFlags(fs)
	fs.StringVar(&opts.storagePath, "storage-path", envOr("STORAGE_PATH", "/data"), "The local storage path.")
	fs.StringVar(&opts.storageAddr, "storage-addr", envOr("STORAGE_ADDRESS", ":9090"), "The address the static file server binds to.")
	fs.StringVar(&opts.storageAdvAddr, "storage-adv-addr", os.Getenv("STORAGE_ADV_ADDR"),
		"The advertised host:port written into artifact URLs; defaults to this host's name and the --storage-addr port.")
	fs.DurationVar(&opts.retentionTTL, "artifact-retention-ttl", 60*time.Second,
		"How long a superseded artifact is kept before garbage collection.")
	fs.IntVar(&opts.retentionRecords, "artifact-retention-records", 2,
		"How many artifacts of one object are kept, the current one included.")
	fs.StringVar(&opts.digestAlgorithm, "artifact-digest-algo", digestAlgorithm,
		"The hash of artifact digests; Tide writes sha256 only.")
	fs.StringSliceVar(&opts.ssh.KeyExchanges, "ssh-kex-algos", nil,
		"The key exchange algorithms of SSH Git connections, most preferred first; Go's defaults when empty.")
	fs.StringSliceVar(&opts.ssh.HostKeys, "ssh-hostkey-algos", nil,
		"The host key algorithms of SSH Git connections, most preferred first; those of the known_hosts entries for the host when empty.")
	opts.helmIndex.bind(fs)
	opts.helmChart.bind(fs)
	bindFluxOnlyFlags(fs)
}

func run(opts options) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	if opts.digestAlgorithm != digestAlgorithm {
		ctrl.Log.WithName("setup").Info("flag has no effect in Tide: artifacts are always digested with "+digestAlgorithm,
			"flag", "--artifact-digest-algo", "value", opts.digestAlgorithm)
	}
	mgr, err := tidemanager.New(cfg, opts.Options, newScheme(), &sourcev1.GitRepository{}, &sourcev1.OCIRepository{}, &sourcev1.HelmRepository{},
		&sourcev1.HelmChart{})
	if err != nil {
		return err
	}
	advAddr, err := advertisedAddr(opts.storageAdvAddr, opts.storageAddr)
	if err != nil {
		return err
	}
	store, err := storage.New(opts.storagePath, advAddr, opts.retentionTTL, opts.retentionRecords)
	if err != nil {
		return fmt.Errorf("storage at --storage-path %s: %w", opts.storagePath, err)
	}
	// The artifact server runs on every replica, not only on the leader.
	if err := mgr.Add(manager.RunnableFunc(func(ctx context.Context) error {
		return artifactserver.Serve(ctx, opts.storageAddr, opts.storagePath)
	})); err != nil {
		return err
	}
	skel, err := tidemanager.NewSkeleton(mgr, opts.Options)
	if err != nil {
		return err
	}
	ctx := ctrl.SetupSignalHandler()
	reconciler := &gitrepository.Reconciler{
		Client: mgr.GetClient(), Skeleton: skel, Storage: store, DependencyRequeue: opts.RequeueDependency,
		SSHAlgorithms: opts.ssh,
	}
	if err := reconciler.SetupWithManager(ctx, mgr, opts.ControllerOptions()); err != nil {
		return fmt.Errorf("set up GitRepository controller: %w", err)
	}
	oci := &ocirepository.Reconciler{Client: mgr.GetClient(), Skeleton: skel, Storage: store}
	if err := oci.SetupWithManager(ctx, mgr, opts.ControllerOptions()); err != nil {
		return fmt.Errorf("set up OCIRepository controller: %w", err)
	}
	indexes, err := setupHelmRepositories(ctx, mgr, skel, store, opts.helmIndex, opts.ControllerOptions())
	if err != nil {
		return err
	}
	if err := setupHelmCharts(ctx, mgr, skel, store, indexes, opts.helmChart, opts.helmIndex.indexMaxSize,
		opts.RequeueDependency, opts.ControllerOptions()); err != nil {
		return err
	}
	ctrl.Log.Info("starting", "storage", opts.storagePath, "artifact-addr", advAddr)
	return mgr.Start(ctx)
}

// advertisedAddr returns --storage-adv-addr, or this host's name with the
// --storage-addr port, which is what a pod's peers can reach.
func advertisedAddr(adv, listen string) (string, error) {
	if adv != "" {
		return adv, nil
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("invalid --storage-addr %q: %w", listen, err)
	}
	if host == "" {
		if host, err = os.Hostname(); err != nil {
			return "", err
		}
	}
	return net.JoinHostPort(host, port), nil
}

func newScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(sourcev1.AddToScheme(scheme))
	return scheme
}
