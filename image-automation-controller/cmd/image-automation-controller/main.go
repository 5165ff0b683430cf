// Command image-automation-controller serves Flux's image.toolkit.fluxcd.io
// kinds in one process: ImageRepository and ImagePolicy (Flux's
// image-reflector-controller) and ImageUpdateAutomation (Flux's
// image-automation-controller). It takes the flags of both Flux
// controllers. It runs in a cluster, or as a local process with
// --kubeconfig.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	// Public CA roots, used where the system has none: the image's empty
	// base has no CA bundle, and registries and Git hosts speak HTTPS.
	_ "golang.org/x/crypto/x509roots/fallback"
	ctrl "sigs.k8s.io/controller-runtime"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	tidemanager "github.com/tidegitops/tide/skeleton/manager"
)

const controllerName = "image-automation-controller"

// options are the controller's flags; setupReconcilers hands each
// reconciler those it reads.
type options struct {
	tidemanager.Options
	storagePath          string
	noCrossNamespaceRefs bool
	sshKexAlgos          []string
	sshHostKeyAlgos      []string
}

// newOptions presets what differs from the shared defaults: both Flux
// image controllers run 4 reconciles at once.
func newOptions() options {
	return options{Options: tidemanager.Options{Name: controllerName, Concurrent: 4}}
}

func main() {
	tidemanager.Main(controllerName, newOptions, (*options).bindFlags, run)
}

// bindFlags declares the shared flags, those of Flux's two image
// controllers Tide honours, and those it has no feature for (flags.go).
func (opts *options) bindFlags(fs *pflag.FlagSet) {
	opts.FeatureGates.Add(imageGates...)
	opts.BindFlags(fs)
	fs.StringVar(&opts.storagePath, "storage-path", "/data",
		"The folder of the tag store: the tags of each ImageRepository, kept across restarts.")
	fs.BoolVar(&opts.noCrossNamespaceRefs, "no-cross-namespace-refs", false,
		"Refuse ImageRepositories and GitRepositories in another namespace than the ImagePolicy or ImageUpdateAutomation naming them.")
	fs.StringSliceVar(&opts.sshKexAlgos, "ssh-kex-algos", nil,
		"The key exchange algorithms of SSH Git connections, most preferred first; Go's defaults when empty.")
	fs.StringSliceVar(&opts.sshHostKeyAlgos, "ssh-hostkey-algos", nil,
		"The host key algorithms of SSH Git connections, most preferred first; those of the known_hosts entries for the host when empty.")
	bindFluxOnlyFlags(fs)
}

func run(opts options) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	mgr, err := tidemanager.New(cfg, opts.Options, newScheme(),
		&imagev1.ImageRepository{}, &imagev1.ImagePolicy{}, &imagev1.ImageUpdateAutomation{})
	if err != nil {
		return err
	}
	skel, err := tidemanager.NewSkeleton(mgr, opts.Options)
	if err != nil {
		return err
	}
	ctx := ctrl.SetupSignalHandler()
	if err := setupReconcilers(ctx, mgr, skel, opts); err != nil {
		return err
	}
	ctrl.Log.Info("starting", "storage", opts.storagePath)
	return mgr.Start(ctx)
}

func newScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(sourcev1.AddToScheme(scheme))
	utilruntime.Must(imagev1.AddToScheme(scheme))
	return scheme
}

// checkWritable makes and removes a file in dir, so that a tag store the
// controller cannot write to stops it at start-up, not at every scan.
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// storageError says what to do when --storage-path cannot hold the tag
// store.
func storageError(path string, err error) error {
	return fmt.Errorf("tag store at --storage-path %s: %w (mount a writable volume there, or point the flag at one)", path, err)
}
