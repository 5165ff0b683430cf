package devenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"

	"github.com/tidegitops/tide/cli/internal/install"
	"github.com/tidegitops/tide/manifests"
)

// buildControllers runs `go build -o bin/ ./cmd/...` in each controller's
// module, as `make build` does. Go relinks nothing when bin/ is up to date,
// so a second run costs a few seconds.
func (e *Env) buildControllers(ctx context.Context) error {
	bin := filepath.Join(e.cfg.Root, "bin")
	if _, err := exec.LookPath("go"); err != nil {
		if e.controllersBuilt() {
			e.cfg.Out.Info("no go toolchain: using the controllers already in %s", bin)
			return nil
		}
		return fmt.Errorf("the controllers are not built in %s and go is not in PATH", bin)
	}
	stop := e.cfg.Out.Spinner("building the controllers into bin/ (when their sources changed)")
	defer stop()
	for _, c := range manifests.AllControllers() {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin+"/", "./cmd/...")
		cmd.Dir = filepath.Join(e.cfg.Root, c)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %v\n%s", c, err, out)
		}
	}
	stop()
	e.cfg.Out.Success("controllers built into %s", bin)
	return nil
}

func (e *Env) controllersBuilt() bool {
	for _, c := range manifests.AllControllers() {
		if _, err := os.Stat(filepath.Join(e.cfg.Root, "bin", c)); err != nil {
			return false
		}
	}
	return true
}

// startControllers installs the CRDs (a controller cannot watch a kind
// that does not exist yet), then runs each controller as a local process
// against the local apiserver; the source-controller serves artifacts on
// 127.0.0.1.
func (e *Env) startControllers(ctx context.Context) error {
	if err := e.installCRDs(ctx); err != nil {
		return err
	}
	storage, err := e.freeAddr()
	if err != nil {
		return err
	}
	common := []string{"--kubeconfig=" + e.Kubeconfig, "--watch-all-namespaces",
		"--metrics-addr=0", "--health-addr=0", "--log-encoding=console"}
	args := map[string][]string{
		"source-controller": {"--storage-path=" + e.path("artifacts"),
			"--storage-addr=" + storage, "--storage-adv-addr=" + storage},
		"kustomize-controller":        {"--artifact-dir=" + e.path("kustomize-controller")},
		"image-automation-controller": {"--storage-path=" + e.path("image-automation-controller")},
		"helm-controller":             {},
	}
	// The notification-controller's event and webhook servers, on free ports.
	events, err := e.freeAddr()
	if err != nil {
		return err
	}
	hooks, err := e.freeAddr()
	if err != nil {
		return err
	}
	for c := range args {
		args[c] = append(args[c], "--events-addr=http://"+events)
	}
	args["notification-controller"] = []string{"--events-addr=" + events, "--receiverAddr=" + hooks}
	e.receiverAddr = hooks
	for _, c := range manifests.AllControllers() {
		bin := filepath.Join(e.cfg.Root, "bin", c)
		if _, err := e.start(c, bin, slices.Concat(common, args[c])...); err != nil {
			return err
		}
	}
	e.cfg.Out.Success("controllers running as local processes (logs in %s)", e.path("logs"))
	return nil
}

func (e *Env) installCRDs(ctx context.Context) error {
	crds, err := install.CRDs()
	if err != nil {
		return err
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	return install.Apply(ctx, c, crds, e.cfg.Out)
}
