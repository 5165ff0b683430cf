package devenv

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tidegitops/tide/cli/internal/output"
)

// DefaultDir is where the environment keeps its state (etcd data, keys,
// kubeconfig, logs, the Git repositories), relative to the working dir.
const DefaultDir = ".tide/dev"

// pidFile lists the processes of a running environment, one
// "<name> <pid> <binary>" a line, `tide` (the `tide dev up` process) first.
const pidFile = "pids"

// entry is one line of the pid file.
type entry struct {
	name string
	pid  int
	bin  string
}

// prepareDir makes an empty state dir, refusing when an environment is
// still running from it.
func prepareDir(dir string) error {
	if entries, err := readPids(dir); err == nil && len(entries) > 0 && alive(entries[0]) {
		return fmt.Errorf("a dev environment is already running from %s (pid %d): stop it with Ctrl-C there, or `tide dev down`", dir, entries[0].pid)
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		return err
	}
	self, _ := os.Executable()
	return appendPid(dir, entry{name: "tide", pid: os.Getpid(), bin: self})
}

func appendPid(dir string, e entry) error {
	f, err := os.OpenFile(filepath.Join(dir, pidFile), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = fmt.Fprintf(f, "%s %d %s\n", e.name, e.pid, e.bin)
	return err
}

func readPids(dir string) ([]entry, error) {
	f, err := os.Open(filepath.Join(dir, pidFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var entries []entry
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.SplitN(s.Text(), " ", 3)
		if len(fields) != 3 {
			continue
		}
		pid, err := strconv.Atoi(fields[1])
		if err != nil {
			continue
		}
		entries = append(entries, entry{name: fields[0], pid: pid, bin: fields[2]})
	}
	return entries, s.Err()
}

// alive says whether e's process still runs the binary it was started
// from (a recycled pid is not ours).
func alive(e entry) bool {
	if syscall.Kill(e.pid, 0) != nil {
		return false
	}
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", e.pid))
	if err != nil {
		return true // cannot tell: assume it is ours
	}
	return strings.TrimSuffix(exe, " (deleted)") == e.bin
}

// Down stops the environment running from dir (the `tide dev up` process,
// which stops its children in order; then any child left over, in reverse
// start order) and removes dir.
func Down(dir string, out *output.Printer) error {
	entries, err := readPids(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if len(entries) == 0 {
		out.Info("no dev environment is running from %s", dir)
	}
	if len(entries) > 0 && alive(entries[0]) {
		out.Info("stopping the dev environment (pid %d)", entries[0].pid)
		terminate(entries[0], 2*time.Minute)
	}
	for _, e := range slices.Backward(entries) {
		if e.name != "tide" && alive(e) {
			out.Info("stopping %s (pid %d), left over", e.name, e.pid)
			terminate(e, 10*time.Second)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	out.Success("removed %s", dir)
	return nil
}

// terminate sends SIGTERM and waits for e to exit, then kills it.
func terminate(e entry, grace time.Duration) {
	_ = syscall.Kill(e.pid, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	for alive(e) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if alive(e) {
		_ = syscall.Kill(e.pid, syscall.SIGKILL)
	}
}

func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
