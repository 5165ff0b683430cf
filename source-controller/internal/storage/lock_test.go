package storage_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
)

func TestLockSerializesSameObject(t *testing.T) {
	s := newStorage(t, time.Minute, 2)
	// Different files of one object share the object's lock.
	arts := []meta.Artifact{newArtifact(t, s, "podinfo", "a.tar.gz"), newArtifact(t, s, "podinfo", "b.tar.gz")}
	var inside atomic.Int32
	var overlapped atomic.Bool
	counter := 0 // plain int: the race detector also flags a broken lock
	var wg sync.WaitGroup
	const workers = 50
	for i := range workers {
		wg.Go(func() {
			unlock := s.Lock(arts[i%2])
			defer unlock()
			if inside.Add(1) != 1 {
				overlapped.Store(true)
			}
			v := counter
			runtime.Gosched()
			counter = v + 1
			inside.Add(-1)
		})
	}
	wg.Wait()
	if counter != workers || overlapped.Load() {
		t.Fatalf("counter = %d (want %d), holders overlapped = %v", counter, workers, overlapped.Load())
	}
}

func TestLockBlocksUntilUnlock(t *testing.T) {
	s := newStorage(t, time.Minute, 2)
	a := newArtifact(t, s, "podinfo", "a.tar.gz")
	unlock := s.Lock(a)
	state := "held by first"
	acquired := make(chan string)
	go func() {
		u := s.Lock(a)
		defer u()
		acquired <- state // read under the lock: must see the first holder's final write
	}()
	state = "released by first"
	unlock()
	unlock() // idempotent
	select {
	case got := <-acquired:
		if got != "released by first" {
			t.Fatalf("second holder saw %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("second Lock never acquired after unlock")
	}
}

func TestLockDifferentObjectsIndependent(t *testing.T) {
	s := newStorage(t, time.Minute, 2)
	unlock := s.Lock(newArtifact(t, s, "podinfo", "a.tar.gz"))
	defer unlock()
	other := newArtifact(t, s, "podinfo2", "a.tar.gz")
	done := make(chan struct{})
	go func() {
		u := s.Lock(other)
		u()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("lock of another object blocked by podinfo's lock")
	}
}
