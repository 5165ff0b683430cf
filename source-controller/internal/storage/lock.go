package storage

import (
	"path"
	"sync"

	"github.com/fluxcd/pkg/apis/meta"
)

// Lock blocks until no other caller in this process holds the lock of the
// object owning a (its kind/namespace/name directory) and returns the unlock
// function. Artifacts of different objects never block each other. Calling
// unlock more than once is harmless.
func (s *Storage) Lock(a meta.Artifact) (unlock func()) {
	// The key is only a map key, so an invalid path is not dangerous here: it
	// still serializes callers that use the same (invalid) artifact.
	return s.locks.lock(path.Dir(a.Path))
}

// lockTable hands out one mutex per key and forgets it once nobody holds or
// waits for it, so deleted objects do not leak memory.
type lockTable struct {
	mu sync.Mutex
	m  map[string]*lockEntry
}

type lockEntry struct {
	mu   sync.Mutex
	refs int // holders plus waiters; guarded by lockTable.mu
}

func (t *lockTable) lock(key string) func() {
	t.mu.Lock()
	if t.m == nil {
		t.m = make(map[string]*lockEntry)
	}
	e := t.m[key]
	if e == nil {
		e = &lockEntry{}
		t.m[key] = e
	}
	e.refs++
	t.mu.Unlock()

	e.mu.Lock()
	var once sync.Once
	return func() {
		once.Do(func() {
			e.mu.Unlock()
			t.mu.Lock()
			e.refs--
			if e.refs == 0 {
				delete(t.m, key)
			}
			t.mu.Unlock()
		})
	}
}
