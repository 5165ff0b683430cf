package helmindex

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidegitops/tide/testkit/helmserver"
)

var small = helmserver.LargeIndex(3, 2)

func loader(data []byte, loads *atomic.Int64) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		loads.Add(1)
		return io.NopCloser(bytes.NewReader(data)), nil
	}
}

// N concurrent callers of one digest share one parse, and get one index.
func TestGetParsesOncePerDigestConcurrently(t *testing.T) {
	for _, maxEntries := range []int{0, 10} {
		c := New(maxEntries, time.Minute)
		const callers = 20
		release := make(chan struct{})
		var loads atomic.Int64
		load := func() (io.ReadCloser, error) {
			loads.Add(1)
			<-release // hold the parse until every other caller waits for it
			return io.NopCloser(bytes.NewReader(small)), nil
		}
		var wg sync.WaitGroup
		results := make(chan any, callers)
		for range callers {
			wg.Go(func() {
				idx, err := c.Get(context.Background(), "sha256:a", load)
				if err != nil {
					results <- err
					return
				}
				results <- idx
			})
		}
		deadline := time.Now().Add(10 * time.Second)
		for c.waiting.Load() != callers-1 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond) // polling for the callers to queue, not waiting out a guess
		}
		close(release)
		wg.Wait()
		close(results)
		var first any
		for r := range results {
			if err, ok := r.(error); ok {
				t.Fatal(err)
			}
			if first == nil {
				first = r
			} else if r != first {
				t.Fatalf("max %d: callers got different indexes", maxEntries)
			}
		}
		if loads.Load() != 1 || c.Parses() != 1 {
			t.Errorf("max %d: %d loads and %d parses for %d concurrent callers, want 1", maxEntries, loads.Load(), c.Parses(), callers)
		}
	}
}

// An entry lives ttl from its last use; Purge drops expired ones; at most
// maxEntries are kept, the least recently used going first; 0 keeps none.
func TestCacheBounds(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(0, 0)
	c := New(2, time.Minute)
	c.now = func() time.Time { return now }
	var loads atomic.Int64
	get := func(digest string) {
		t.Helper()
		if _, err := c.Get(ctx, digest, loader(small, &loads)); err != nil {
			t.Fatal(err)
		}
	}
	get("a")
	get("a")
	if loads.Load() != 1 {
		t.Fatalf("a cached index was parsed again: %d loads", loads.Load())
	}
	now = now.Add(50 * time.Second)
	get("a") // a use renews the TTL
	now = now.Add(50 * time.Second)
	get("a")
	if loads.Load() != 1 {
		t.Fatalf("an index used within its TTL expired: %d loads", loads.Load())
	}
	now = now.Add(2 * time.Minute)
	c.Purge()
	if c.Len() != 0 {
		t.Fatalf("Purge kept %d expired entries", c.Len())
	}
	get("a")
	get("b")
	now = now.Add(time.Second)
	get("a") // b is now the least recently used
	get("c")
	if c.Len() != 2 {
		t.Fatalf("cache holds %d entries, want at most 2", c.Len())
	}
	before := loads.Load()
	get("a")
	get("c")
	if loads.Load() != before {
		t.Errorf("recently used entries were evicted")
	}
	runtime.GC() // nothing holds b now: its weak reference goes too
	get("b")
	if loads.Load() != before+1 {
		t.Errorf("the least recently used entry was kept")
	}
}

// With max size 0 nothing is kept for later, but an index still held by a
// caller is shared with the next ones, at no cost in memory.
func TestCacheSharesIndexesInUse(t *testing.T) {
	ctx := context.Background()
	c := New(0, time.Minute)
	var loads atomic.Int64
	held, err := c.Get(ctx, "a", loader(small, &loads))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Get(ctx, "a", loader(small, &loads))
	if err != nil || again != held || c.Parses() != 1 {
		t.Fatalf("an index in use was parsed again: %d parses, %v", c.Parses(), err)
	}
	runtime.KeepAlive(held)
	runtime.GC()
	if _, err := c.Get(ctx, "a", loader(small, &loads)); err != nil {
		t.Fatal(err)
	}
	if c.Parses() != 2 || c.Len() != 0 {
		t.Errorf("max size 0 kept an index nothing used: %d parses, %d entries", c.Parses(), c.Len())
	}
	c.Purge()
}

// A broken index is reported and not cached; a load error is reported.
func TestGetFailures(t *testing.T) {
	ctx := context.Background()
	c := New(10, time.Minute)
	var loads atomic.Int64
	for range 2 {
		if _, err := c.Get(ctx, "bad", loader([]byte("entries: ["), &loads)); !errors.Is(err, ErrInvalidIndex) {
			t.Fatalf("malformed index: %v", err)
		}
	}
	if loads.Load() != 2 || c.Len() != 0 {
		t.Errorf("a failed parse was cached")
	}
	_, err := c.Get(ctx, "gone", func() (io.ReadCloser, error) { return nil, errors.New("no such file") })
	if err == nil || c.Len() != 0 {
		t.Errorf("load error: %v", err)
	}
}
