// Command notification-controller receives the events of Flux (and Tide)
// controllers on --events-addr and forwards them as Alerts and Providers
// say, and serves Receivers on --receiverAddr. It runs in a cluster, or as
// a local process with --kubeconfig.
package main

import (
	"fmt"
	"time"

	"github.com/fluxcd/pkg/runtime/events"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	// Public CA roots, used where the system has none: the image's empty
	// base has no CA bundle, and providers are reached over HTTPS.
	_ "golang.org/x/crypto/x509roots/fallback"
	ctrl "sigs.k8s.io/controller-runtime"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/notification-controller/internal/eventserver"
	"github.com/tidegitops/tide/notification-controller/internal/provider"
	"github.com/tidegitops/tide/notification-controller/internal/receiver"
	tidemanager "github.com/tidegitops/tide/skeleton/manager"
)

const controllerName = "notification-controller"

type options struct {
	tidemanager.Options
	receiverAddr         string
	rateLimitInterval    time.Duration
	noCrossNamespaceRefs bool
}

// newOptions presets what differs from the shared defaults.
func newOptions() options {
	return options{Options: tidemanager.Options{Name: controllerName, Concurrent: 4}}
}

func main() {
	tidemanager.Main(controllerName, newOptions, (*options).bindFlags, run)
}

// bindFlags declares the shared flags and Flux's notification-controller
// flags. --events-addr is, as in Flux, where this controller listens for
// events (not where it sends its own: those go only to Kubernetes).
func (opts *options) bindFlags(fs *pflag.FlagSet) {
	opts.BindFlags(fs)
	events := fs.Lookup("events-addr")
	events.Usage = "The address the event endpoint binds to."
	events.DefValue = ":9090"
	_ = events.Value.Set(":9090")
	fs.StringVar(&opts.receiverAddr, "receiverAddr", ":9292", "The address the webhook receiver endpoint binds to.")
	fs.DurationVar(&opts.rateLimitInterval, "rate-limit-interval", 5*time.Minute,
		"Interval in which equal events are forwarded once; duplicates are answered 429.")
	fs.BoolVar(&opts.noCrossNamespaceRefs, "no-cross-namespace-refs", false,
		"Refuse events of objects in another namespace than the Alert's.")
	tidemanager.NoEffect(fs, "the event and receiver servers export no per-path HTTP metrics", func(fs *pflag.FlagSet) {
		fs.Bool("export-http-path-metrics", false, "Export the HTTP path of requests as a metrics label.")
	})
}

func run(opts options) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	listen := opts.EventsAddr
	opts.EventsAddr = "" // this controller's own events go to Kubernetes only
	scheme := newScheme()
	mgr, err := tidemanager.New(cfg, opts.Options, scheme, &notificationv1.Receiver{}, &notificationv1beta3.Alert{}, &notificationv1beta3.Provider{})
	if err != nil {
		return err
	}
	skel, err := tidemanager.NewSkeleton(mgr, opts.Options)
	if err != nil {
		return err
	}
	ctx := ctrl.SetupSignalHandler()
	rcv := &receiver.Reconciler{Client: mgr.GetClient(), Skeleton: skel}
	if err := rcv.SetupWithManager(ctx, mgr, opts.ControllerOptions()); err != nil {
		return fmt.Errorf("set up Receiver controller: %w", err)
	}
	if err := (&provider.Checker{Client: mgr.GetClient(), Events: skel.Events}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("set up Provider checks: %w", err)
	}
	recorder, err := events.NewRecorder(ctrl.Log.WithName("events"), "", controllerName, events.WithManager(mgr))
	if err != nil {
		return err
	}
	if err := mgr.Add(&eventserver.Server{
		Addr: listen, Client: mgr.GetClient(), Events: recorder, NoCrossNamespaceRefs: opts.noCrossNamespaceRefs,
		RateLimit: opts.rateLimitInterval, Log: ctrl.Log.WithName("event-server"),
	}); err != nil {
		return err
	}
	if err := mgr.Add(&receiver.Server{
		Addr: opts.receiverAddr, Receivers: mgr.GetClient(), Reader: mgr.GetAPIReader(), Writer: mgr.GetClient(),
		Log: ctrl.Log.WithName("receiver-server"),
	}); err != nil {
		return err
	}
	ctrl.Log.Info("starting", "events-addr", listen, "receiverAddr", opts.receiverAddr)
	return mgr.Start(ctx)
}

func newScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(notificationv1.AddToScheme(scheme))
	utilruntime.Must(notificationv1beta3.AddToScheme(scheme))
	return scheme
}
