// Package sourcetest runs what the tests of every source reconciler package
// share: a real control plane, artifact storage served over HTTP on
// loopback, and a manager running the package's real reconciler, as in a
// cluster.
package sourcetest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/tidegitops/tide/skeleton"
	tidemanager "github.com/tidegitops/tide/skeleton/manager"
	"github.com/tidegitops/tide/source-controller/internal/artifactserver"
	"github.com/tidegitops/tide/source-controller/internal/storage"
	"github.com/tidegitops/tide/testkit"
)

// Env is the environment the tests of one package share.
type Env struct {
	CP      *testkit.ControlPlane
	Store   *storage.Storage
	Root    string // the storage folder
	BaseURL string // where the artifact server serves Root
	HTTP    *http.Client
}

// Setup adds the package's reconciler to mgr.
type Setup func(ctx context.Context, mgr manager.Manager, skel *skeleton.Skeleton) error

// Main is a package's TestMain: it fills env, builds a manager that owns
// kind (configure may change its options first), calls setup, starts the
// manager and the artifact server, runs the tests and exits.
func Main(m *testing.M, env *Env, kind client.Object, configure func(*tidemanager.Options), setup Setup) {
	code, err := run(m, env, kind, configure, setup)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M, env *Env, kind client.Object, configure func(*tidemanager.Options), setup Setup) (int, error) {
	// Controller logs go to the test output (shown for failing tests with -v).
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.UseDevMode(true)))
	cp, err := testkit.StartControlPlane()
	if err != nil {
		return 0, err
	}
	defer cp.Stop()

	root, err := os.MkdirTemp("", "source-storage-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(root)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	addr := listener.Addr().String()
	listener.Close()
	store, err := storage.New(root, addr, time.Hour, 2)
	if err != nil {
		return 0, err
	}
	*env = Env{CP: cp, Store: store, Root: root, BaseURL: "http://" + addr, HTTP: &http.Client{Timeout: 10 * time.Second}}

	opts := tidemanager.Options{Name: "source-controller", MetricsAddr: "0", HealthAddr: "0"}
	opts.Watch.AllNamespaces = true
	if configure != nil {
		configure(&opts)
	}
	mgr, err := tidemanager.New(cp.Config, opts, cp.Scheme, kind)
	if err != nil {
		return 0, err
	}
	skel, err := tidemanager.NewSkeleton(mgr, opts)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := setup(ctx, mgr, skel); err != nil {
		return 0, err
	}
	go func() { _ = artifactserver.Serve(ctx, addr, root) }()
	go func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "manager:", err)
		}
	}()
	return m.Run(), nil
}
