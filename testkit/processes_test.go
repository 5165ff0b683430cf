package testkit

import (
	"os/exec"
	"runtime"
	"syscall"
	"testing"
)

// A child's peak memory is its own, not that of the test process that
// started it (which the kernel's rusage reports for a child Go started).
func TestPeakRSSIsTheChildsOwn(t *testing.T) {
	ballast := make([]byte, 128<<20)
	for i := range ballast {
		ballast[i] = 1 // resident, not just reserved
	}
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	runtime.KeepAlive(ballast)
	peak, ok := peakRSS(cmd.Process.Pid)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if !ok {
		t.Fatal("no peak RSS read for a running process")
	}
	if peak <= 0 || peak > 64<<10 {
		t.Errorf("peak RSS of sleep = %d KiB, want a few MiB", peak)
	}
	if usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && usage.Maxrss < 128<<10 {
		t.Logf("rusage no longer reports the parent's peak (%d KiB): peakRSS may not be needed", usage.Maxrss)
	}
}
