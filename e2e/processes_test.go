package e2e

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tidegitops/tide/testkit"
)

// binaries are built once per test binary run, into one folder.
var binaries struct {
	once sync.Once
	dir  string
	err  error
}

// buildControllers builds both controller binaries from this workspace, as
// `make build` does.
func buildControllers(t testing.TB) string {
	t.Helper()
	binaries.once.Do(func() {
		binaries.dir, binaries.err = os.MkdirTemp("", "tide-e2e-bin-")
		if binaries.err != nil {
			return
		}
		root := testkit.RepoRoot()
		for _, c := range []string{"source-controller", "kustomize-controller"} {
			cmd := exec.Command("go", "build", "-o", binaries.dir, "./cmd/"+c)
			cmd.Dir = filepath.Join(root, c)
			if out, err := cmd.CombinedOutput(); err != nil {
				binaries.err = fmt.Errorf("build %s: %v\n%s", c, err, out)
				return
			}
		}
	})
	if binaries.err != nil {
		t.Fatal(binaries.err)
	}
	return binaries.dir
}

// process is a controller running as its own OS process.
type process struct {
	cmd  *exec.Cmd
	logs *bytes.Buffer
	done chan struct{}
	// maxRSS is the peak resident memory in KiB, and cpu the CPU time
	// used; both known after stop.
	maxRSS int64
	cpu    time.Duration
}

// startController runs binary name with a kubeconfig for cp and args; it is
// stopped (SIGTERM) when the test ends, and its log printed if it failed.
func startController(t testing.TB, name, kubeconfig string, args ...string) *process {
	t.Helper()
	dir := buildControllers(t)
	args = append([]string{"--kubeconfig=" + kubeconfig, "--watch-all-namespaces",
		"--metrics-addr=" + metricsAddr(name), "--health-addr=0", "--log-encoding=console"}, args...)
	p := &process{cmd: exec.Command(filepath.Join(dir, name), args...), logs: &bytes.Buffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = &lockedWriter{w: p.logs}, &lockedWriter{w: p.logs}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("%s log:\n%s", name, p.logs.String())
		}
	})
	return p
}

// stop sends SIGTERM, waits (killing after 10 s) and records peak memory.
func (p *process) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	if usage, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		p.maxRSS = usage.Maxrss
		p.cpu = time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// writeKubeconfig stores cp's kubeconfig in a file for the processes.
func writeKubeconfig(t testing.TB, cp *testkit.ControlPlane) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, cp.KubeConfig, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// freeAddr returns a localhost address nothing listens on yet.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startControllers runs the source-controller (serving artifacts on
// localhost) and the kustomize-controller against cp.
func startControllers(t testing.TB, cp *testkit.ControlPlane, kustomizeArgs ...string) (source, kustomize *process) {
	t.Helper()
	kubeconfig := writeKubeconfig(t, cp)
	addr := freeAddr(t)
	source = startController(t, "source-controller", kubeconfig,
		"--storage-path="+t.TempDir(), "--storage-addr="+addr, "--storage-adv-addr="+addr)
	kustomize = startController(t, "kustomize-controller", kubeconfig,
		append([]string{"--artifact-dir=" + t.TempDir()}, kustomizeArgs...)...)
	return source, kustomize
}

// metricsAddr is where a controller serves metrics and pprof: off, unless
// TIDE_E2E_PPROF_<NAME> (e.g. TIDE_E2E_PPROF_KUSTOMIZE_CONTROLLER=127.0.0.1:6060)
// asks for it to profile a run.
func metricsAddr(name string) string {
	key := "TIDE_E2E_PPROF_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	if addr := os.Getenv(key); addr != "" {
		return addr
	}
	return "0"
}
