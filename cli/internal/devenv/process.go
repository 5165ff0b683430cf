package devenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// process is one program the environment runs, its output in
// logs/<name>.log.
type process struct {
	name, bin, log string
	cmd            *exec.Cmd
	done           chan struct{}
	grace          time.Duration
}

// startProcess runs bin with args. The process gets its own process group,
// so a Ctrl-C in the terminal reaches only tide, which then stops every
// process in order; it is killed if tide dies.
func startProcess(logDir, name, bin string, args ...string) (*process, error) {
	logPath := filepath.Join(logDir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, bin: bin, log: logPath, cmd: cmd, done: make(chan struct{}), grace: 10 * time.Second}
	go func() {
		_ = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *process) pid() int { return p.cmd.Process.Pid }

// running says whether the process has not exited yet.
func (p *process) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// stop sends SIGTERM and waits, killing it after its grace period.
func (p *process) stop() {
	if !p.running() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(p.grace):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// exitError says that p exited on its own, and where to read why.
func (p *process) exitError() error {
	return fmt.Errorf("%s exited (%s): see %s", p.name, p.cmd.ProcessState, p.log)
}
