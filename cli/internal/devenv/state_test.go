package devenv

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/tidegitops/tide/cli/internal/output"
)

// Down after a crash: the `tide dev up` process is gone, one child is left
// over. Down stops the child and removes the state dir.
func TestDown_StopsLeftoversAndRemovesTheDir(t *testing.T) {
	g := NewWithT(t)
	dir := filepath.Join(t.TempDir(), "dev")
	g.Expect(os.MkdirAll(filepath.Join(dir, "logs"), 0o755)).To(Succeed())
	sleep := exec.Command("sleep", "300")
	g.Expect(sleep.Start()).To(Succeed())
	done := make(chan struct{})
	go func() { _ = sleep.Wait(); close(done) }()
	exe, err := os.Readlink("/proc/" + itoa(sleep.Process.Pid) + "/exe")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(appendPid(dir, entry{name: "tide", pid: 1 << 22, bin: "/gone/tide"})).To(Succeed())
	g.Expect(appendPid(dir, entry{name: "etcd", pid: sleep.Process.Pid, bin: exe})).To(Succeed())

	var out bytes.Buffer
	g.Expect(Down(dir, output.New(&out))).To(Succeed())
	g.Eventually(done, 5*time.Second).Should(BeClosed())
	g.Expect(dir).NotTo(BeADirectory())
	g.Expect(out.String()).To(ContainSubstring("stopping etcd"))
}

// Up refuses to start over an environment that still runs, and starts over
// a stale one.
func TestPrepareDir(t *testing.T) {
	g := NewWithT(t)
	dir := filepath.Join(t.TempDir(), "dev")
	g.Expect(prepareDir(dir)).To(Succeed()) // writes this process as `tide`
	err := prepareDir(dir)
	g.Expect(err).To(MatchError(ContainSubstring("already running")))

	g.Expect(os.Remove(filepath.Join(dir, pidFile))).To(Succeed())
	g.Expect(appendPid(dir, entry{name: "tide", pid: 1 << 22, bin: "/gone/tide"})).To(Succeed())
	g.Expect(os.WriteFile(filepath.Join(dir, "stale"), nil, 0o644)).To(Succeed())
	g.Expect(prepareDir(dir)).To(Succeed())
	g.Expect(filepath.Join(dir, "stale")).NotTo(BeAnExistingFile())
	g.Expect(errors.Is(syscall.Kill(1<<22, 0), syscall.ESRCH)).To(BeTrue())
}

func itoa(i int) string { return strconv.Itoa(i) }
