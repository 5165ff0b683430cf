package testkit

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Controllers are the controller binaries of this workspace, in the order
// they are started.
var Controllers = []string{"source-controller", "kustomize-controller"}

// binaries are built once per test binary run, into one folder.
var binaries struct {
	once sync.Once
	dir  string
	err  error
}

// BuildControllers builds every controller binary from this workspace, as
// `make build` does, once per test binary, and returns their folder. They
// are static (no cgo), as in the images (`make images`), so a test can run
// them out of an image's file system as well.
func BuildControllers(t testing.TB) string {
	t.Helper()
	binaries.once.Do(func() {
		binaries.dir, binaries.err = os.MkdirTemp("", "tide-test-bin-")
		if binaries.err != nil {
			return
		}
		for _, c := range Controllers {
			if binaries.err = goBuild(binaries.dir, c); binaries.err != nil {
				return
			}
		}
	})
	if binaries.err != nil {
		t.Fatal(binaries.err)
	}
	return binaries.dir
}

// StartController builds the workspace controller name (its module's
// ./cmd/name, once per test binary) and runs it against cp with args, as
// StartControllers runs the source- and kustomize-controllers: stopped when
// the test ends, its log printed if the test failed.
func StartController(t testing.TB, cp *ControlPlane, name string, args ...string) *Process {
	t.Helper()
	return startController(t, filepath.Join(buildController(t, name), name), WriteKubeconfig(t, cp), args...)
}

// built holds, by controller name, the folder its binary was built into.
var built sync.Map

type buildResult struct {
	once sync.Once
	dir  string
	err  error
}

func buildController(t testing.TB, name string) string {
	t.Helper()
	v, _ := built.LoadOrStore(name, &buildResult{})
	b := v.(*buildResult)
	b.once.Do(func() {
		if b.dir, b.err = os.MkdirTemp("", "tide-test-bin-"); b.err != nil {
			return
		}
		b.err = goBuild(b.dir, name)
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.dir
}

// goBuild builds the workspace controller name into dir, static as in the
// images.
func goBuild(dir, name string) error {
	cmd := exec.Command("go", "build", "-o", dir, "./cmd/"+name)
	cmd.Dir = filepath.Join(RepoRoot(), name)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build %s: %v\n%s", name, err, out)
	}
	return nil
}

// Process is a controller running as its own OS process.
type Process struct {
	Name string
	cmd  *exec.Cmd
	logs *lockedBuffer
	done chan struct{}
	// maxRSS is the peak resident memory in KiB, and cpu the CPU time
	// used; both known after Stop.
	maxRSS int64
	cpu    time.Duration
}

// startController runs the controller binary at path with kubeconfig and
// args; it is stopped (SIGTERM) when the test ends, and its log printed if
// the test failed.
func startController(t testing.TB, path, kubeconfig string, args ...string) *Process {
	t.Helper()
	name := filepath.Base(path)
	args = append([]string{"--kubeconfig=" + kubeconfig, "--watch-all-namespaces",
		"--metrics-addr=" + metricsAddr(name), "--health-addr=0", "--log-encoding=console"}, args...)
	p := &Process{Name: name, cmd: exec.Command(path, args...), logs: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("%s log:\n%s", name, p.Logs())
		}
	})
	return p
}

// StartControllers runs the source-controller (serving artifacts on
// localhost) and the kustomize-controller against cp, with kustomizeArgs
// added to the kustomize-controller's flags.
func StartControllers(t testing.TB, cp *ControlPlane, kustomizeArgs ...string) (source, kustomize *Process) {
	t.Helper()
	return StartControllersFrom(t, cp, BuildControllers(t), kustomizeArgs...)
}

// StartControllersFrom is StartControllers with the binaries found in dir,
// such as the /usr/local/bin of the images' file system.
func StartControllersFrom(t testing.TB, cp *ControlPlane, dir string, kustomizeArgs ...string) (source, kustomize *Process) {
	t.Helper()
	kubeconfig := WriteKubeconfig(t, cp)
	addr := freePort(t)
	source = startController(t, filepath.Join(dir, "source-controller"), kubeconfig,
		"--storage-path="+t.TempDir(), "--storage-addr="+addr, "--storage-adv-addr="+addr)
	kustomize = startController(t, filepath.Join(dir, "kustomize-controller"), kubeconfig,
		append([]string{"--artifact-dir=" + t.TempDir()}, kustomizeArgs...)...)
	return source, kustomize
}

// Stop records the peak memory, sends SIGTERM, waits (killing after 10 s)
// and records the CPU time. Stopping again does nothing.
func (p *Process) Stop() {
	if hwm, ok := peakRSS(p.cmd.Process.Pid); ok {
		p.maxRSS = hwm
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	if usage, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		p.cpu = time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
	}
}

// peakRSS reads the peak resident memory (KiB) of the running process pid
// from /proc. The rusage the kernel reports when a child exits is no use
// for this: Go starts children sharing its own memory until exec (vfork),
// and exec records the high-water mark of that memory, the test process's,
// as the child's peak.
func peakRSS(pid int) (int64, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kib, err == nil
		}
	}
	return 0, false
}

// WaitForWorkers waits until the process's controllers have synced their
// caches and started their workers (controller-runtime logs "Starting
// workers" then), so a measurement that starts afterwards leaves out the
// start-up.
func (p *Process) WaitForWorkers(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !strings.Contains(p.Logs(), "Starting workers") {
		select {
		case <-p.done:
			t.Fatalf("%s exited while starting:\n%s", p.Name, p.Logs())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not start its workers within %s:\n%s", p.Name, Timeout, p.Logs())
		}
	}
}

// Logs returns what the process wrote so far.
func (p *Process) Logs() string { return p.logs.String() }

// MaxRSS is the peak resident memory in KiB, known after Stop.
func (p *Process) MaxRSS() int64 { return p.maxRSS }

// CPU is the CPU time used, known after Stop.
func (p *Process) CPU() time.Duration { return p.cpu }

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(b)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// WriteKubeconfig stores cp's kubeconfig in a file, for processes.
func WriteKubeconfig(t testing.TB, cp *ControlPlane) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, cp.KubeConfig, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
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
