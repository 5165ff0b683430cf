package receiver

import (
	"context"
	"fmt"
	"net"
	"os"
	"testing"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	tidemanager "github.com/tidegitops/tide/skeleton/manager"
	"github.com/tidegitops/tide/testkit"
)

// env is one control plane, one manager running the Receiver reconciler and
// one webhook server, shared by the package's tests.
var env struct {
	cp      *testkit.ControlPlane
	mgr     ctrl.Manager
	hookURL string
	ctx     context.Context
}

func TestMain(m *testing.M) {
	code, err := runSuite(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runSuite(m *testing.M) (int, error) {
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.UseDevMode(true)))
	cp, err := testkit.StartControlPlane()
	if err != nil {
		return 0, err
	}
	defer cp.Stop()
	if err := notificationv1.AddToScheme(cp.Scheme); err != nil {
		return 0, err
	}
	env.cp = cp
	opts := tidemanager.Options{Name: "notification-controller", MetricsAddr: "0", HealthAddr: "0"}
	opts.Watch.AllNamespaces = true
	mgr, err := tidemanager.New(cp.Config, opts, cp.Scheme, &notificationv1.Receiver{})
	if err != nil {
		return 0, err
	}
	env.mgr = mgr
	skel, err := tidemanager.NewSkeleton(mgr, opts)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env.ctx = ctx
	r := &Reconciler{Client: mgr.GetClient(), Skeleton: skel}
	if err := r.SetupWithManager(ctx, mgr, controller.Options{MaxConcurrentReconciles: 2}); err != nil {
		return 0, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	env.hookURL = "http://" + l.Addr().String()
	srv := &Server{Receivers: mgr.GetClient(), Reader: mgr.GetAPIReader(), Writer: mgr.GetClient(), Log: ctrl.Log.WithName("receiver")}
	go func() { _ = srv.Serve(ctx, l) }()
	go func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "manager:", err)
		}
	}()
	return m.Run(), nil
}
