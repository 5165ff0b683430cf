package devenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/cli/internal/kube"

	"github.com/tidegitops/tide/cli/internal/output"
)

// Config says where the environment comes from and where it lives.
type Config struct {
	Root    string          // the Tide checkout: examples/, bin/, the controller modules
	Dir     string          // the state dir; default DefaultDir
	Out     *output.Printer // progress
	Timeout time.Duration   // of every wait; default 5m
}

// Env is a running environment. Stop it with Stop.
type Env struct {
	cfg        Config
	creds      *credentials
	stoppers   []stopper // in start order
	exited     chan error
	Kubeconfig string // admin kubeconfig file
	RepoURL    string // the demo fleet repo, over HTTP
	// ChartRepoURL is the demo Helm chart repository (http://), and
	// OCIRepoURL the demo artifact in the OCI registry (oci://, no tag).
	ChartRepoURL, OCIRepoURL string
	// DemoImage is the demo image in the OCI registry (host/repository, no
	// tag), which the demo ImageRepository scans.
	DemoImage string
	// NotifyURL is the log endpoint the demo Alert posts to, and
	// ReceiverURL the demo Receiver's webhook, which the Git server calls
	// after each push.
	NotifyURL, ReceiverURL string
	demoCommit             string // the commit RepoURL's main holds
	receiverAddr           string // the notification-controller's webhook server
	git                    *gitServer
	Addrs                  []string
	restConfig             *rest.Config
}

// stopper is a process, or an in-process server (Git, charts, registry).
type stopper interface{ stop() }

// Up starts everything and bootstraps the cluster from the demo repo,
// returning when the demo app is running. On failure it stops what it
// started.
func Up(ctx context.Context, cfg Config) (_ *Env, err error) {
	if cfg.Dir == "" {
		cfg.Dir = DefaultDir
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Minute
	}
	if cfg.Dir, err = filepath.Abs(cfg.Dir); err != nil {
		return nil, err
	}
	if err := checkAssets(cfg.Root); err != nil {
		return nil, err
	}
	if err := prepareDir(cfg.Dir); err != nil {
		return nil, err
	}
	e := &Env{cfg: cfg, exited: make(chan error, 16)}
	defer func() {
		if err != nil {
			e.Stop()
			err = fmt.Errorf("%w\n  (logs: %s)", err, filepath.Join(cfg.Dir, "logs"))
		}
	}()
	ctx, stopWatch := e.cancelOnExit(ctx)
	defer stopWatch()
	for _, step := range []func(context.Context) error{
		e.buildControllers, e.startControlPlane, e.startKwok, e.startGitServer, e.startDemoRepos,
		e.startNotificationLog, e.startControllers, e.publishEndpoints, e.bootstrap, e.waitDemo,
		e.connectReceiver, e.waitImageUpdate,
	} {
		if err := step(ctx); err != nil {
			if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
				return e, cause // a process died: say which, not that a wait was cut short
			}
			return e, err
		}
	}
	return e, nil
}

// cancelOnExit returns a context that ends, with the process's exit as its
// cause, when one of the processes exits during Up.
func (e *Env) cancelOnExit(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	done := make(chan struct{})
	go func() {
		select {
		case err := <-e.exited:
			cancel(err)
		case <-done:
		}
	}()
	return ctx, func() { close(done); cancel(nil) }
}

// client is an uncached client of the local cluster.
func (e *Env) client() (client.Client, error) {
	cfg, err := e.RESTConfig()
	if err != nil {
		return nil, err
	}
	return client.New(cfg, client.Options{Scheme: kube.Scheme()})
}

// Exited reports a process that exited while the environment ran: which
// one, and where its log is.
func (e *Env) Exited() <-chan error { return e.exited }

// Stop stops everything Up started, in reverse order (the apiserver before
// etcd), and removes the pid file; the logs stay until the next Up.
func (e *Env) Stop() {
	for _, s := range slices.Backward(e.stoppers) {
		s.stop()
	}
	e.stoppers = nil
	_ = removeFile(filepath.Join(e.cfg.Dir, pidFile))
}

// Pids are the processes Up started, in start order.
func (e *Env) Pids() []int {
	var pids []int
	for _, s := range e.stoppers {
		if p, ok := s.(*process); ok {
			pids = append(pids, p.pid())
		}
	}
	return pids
}

// start runs a binary from bin/k8s or bin/ as part of the environment.
func (e *Env) start(name, bin string, args ...string) (*process, error) {
	p, err := startProcess(filepath.Join(e.cfg.Dir, "logs"), name, bin, args...)
	if err != nil {
		return nil, err
	}
	e.stoppers = append(e.stoppers, p)
	go func() {
		<-p.done
		select {
		case e.exited <- p.exitError():
		default:
		}
	}()
	return p, appendPid(e.cfg.Dir, entry{name: name, pid: p.pid(), bin: bin})
}

func (e *Env) k8sBin(name string) string { return filepath.Join(e.cfg.Root, "bin", "k8s", name) }

func (e *Env) path(elem ...string) string {
	return filepath.Join(append([]string{e.cfg.Dir}, elem...)...)
}

// freeAddr returns a 127.0.0.1 address nothing listens on yet, and
// remembers it.
func (e *Env) freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	e.Addrs = append(e.Addrs, l.Addr().String())
	return l.Addr().String(), nil
}

// RESTConfig is the admin's connection to the apiserver.
func (e *Env) RESTConfig() (*rest.Config, error) {
	if e.restConfig == nil {
		cfg, err := clientcmd.BuildConfigFromFlags("", e.Kubeconfig)
		if err != nil {
			return nil, err
		}
		e.restConfig = cfg
	}
	return rest.CopyConfig(e.restConfig), nil
}
