//go:build unix

package gitrepository

import (
	"bytes"
	"io"
	"os"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// captureStderr redirects the process's file descriptor 2, where the suite's
// controller logger writes, into a buffer (still copying it to the real
// stderr) until the returned function is called; that function restores
// stderr and returns what was written meanwhile.
func captureStderr(t *testing.T) (stop func() string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved, err := unix.Dup(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Dup2(int(w.Fd()), 2); err != nil {
		t.Fatal(err)
	}
	original := os.NewFile(uintptr(saved), "stderr")
	var buf bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(io.MultiWriter(&buf, original), r)
	}()
	var once sync.Once
	var out string
	stop = func() string {
		once.Do(func() {
			_ = unix.Dup2(saved, 2)
			_ = w.Close()
			<-done
			_ = r.Close()
			_ = original.Close()
			out = buf.String()
		})
		return out
	}
	t.Cleanup(func() { stop() })
	return stop
}
