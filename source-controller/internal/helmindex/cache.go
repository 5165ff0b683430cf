package helmindex

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	repo "helm.sh/helm/v4/pkg/repo/v1"
)

// Cache holds parsed indexes by artifact digest. Its zero value is not
// usable: call New.
type Cache struct {
	maxEntries int
	ttl        time.Duration
	now        func() time.Time // tests move time

	mu       sync.Mutex
	entries  map[string]*entry
	inflight map[string]*call
	// shared finds every index parsed here while anything still holds it
	// (a HelmChart being reconciled), whatever maxEntries: reusing it
	// costs no memory, and is all the sharing there is with maxEntries 0.
	shared map[string]weak.Pointer[repo.IndexFile]

	parses  atomic.Int64
	waiting atomic.Int64 // callers waiting for another's parse, for tests
}

type entry struct {
	index    *repo.IndexFile
	lastUsed time.Time
}

// call is one parse in progress; done closes when index or err is set.
type call struct {
	done  chan struct{}
	index *repo.IndexFile
	err   error
}

// New returns a cache of at most maxEntries indexes, each dropped ttl
// after its last use. maxEntries 0 keeps none between calls.
func New(maxEntries int, ttl time.Duration) *Cache {
	return &Cache{
		maxEntries: max(0, maxEntries), ttl: ttl, now: time.Now,
		entries: map[string]*entry{}, inflight: map[string]*call{}, shared: map[string]weak.Pointer[repo.IndexFile]{},
	}
}

// Get returns the index of the artifact with this digest: from the cache,
// from a parse another caller has under way, or by reading load's data and
// parsing it. A failed parse is not cached: the next call tries again.
func (c *Cache) Get(ctx context.Context, digest string, load func() (io.ReadCloser, error)) (*repo.IndexFile, error) {
	c.mu.Lock()
	if e, ok := c.entries[digest]; ok && !c.expired(e) {
		e.lastUsed = c.now()
		c.mu.Unlock()
		return e.index, nil
	}
	if index := c.shared[digest].Value(); index != nil {
		c.keep(digest, index)
		c.mu.Unlock()
		return index, nil
	}
	cl, running := c.inflight[digest]
	if !running {
		cl = &call{done: make(chan struct{})}
		c.inflight[digest] = cl
	}
	c.mu.Unlock()

	if running {
		c.waiting.Add(1)
		defer c.waiting.Add(-1)
	} else {
		c.parse(digest, cl, load)
	}
	select {
	case <-cl.done:
		return cl.index, cl.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Put keeps an index its caller already parsed (the HelmRepository
// reconciler, which parses every new index to check it), so the first
// HelmChart of a new digest does not parse it again.
func (c *Cache) Put(digest string, index *repo.IndexFile) {
	if index == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keep(digest, index)
}

// keep records index as the one of digest: weakly always, and among the
// maxEntries kept when there is room. It runs with mu held.
func (c *Cache) keep(digest string, index *repo.IndexFile) {
	c.shared[digest] = weak.Make(index)
	if c.maxEntries == 0 {
		return
	}
	c.entries[digest] = &entry{index: index, lastUsed: c.now()}
	c.evict()
}

// parse runs load and Parse for the callers of cl, and keeps the result.
func (c *Cache) parse(digest string, cl *call, load func() (io.ReadCloser, error)) {
	cl.index, cl.err = loadAndParse(load)
	c.parses.Add(1)
	c.mu.Lock()
	delete(c.inflight, digest)
	if cl.err == nil {
		c.keep(digest, cl.index)
	}
	c.mu.Unlock()
	close(cl.done)
}

func loadAndParse(load func() (io.ReadCloser, error)) (*repo.IndexFile, error) {
	r, err := load()
	if err != nil {
		return nil, fmt.Errorf("read stored index: %w", err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read stored index: %w", err)
	}
	return Parse(data)
}

// evict drops expired entries, then the least recently used ones beyond
// maxEntries. It runs with mu held.
func (c *Cache) evict() {
	c.purgeLocked()
	for len(c.entries) > c.maxEntries {
		var oldest string
		for digest, e := range c.entries {
			if oldest == "" || e.lastUsed.Before(c.entries[oldest].lastUsed) {
				oldest = digest
			}
		}
		delete(c.entries, oldest)
	}
}

func (c *Cache) expired(e *entry) bool {
	return c.ttl > 0 && c.now().Sub(e.lastUsed) > c.ttl
}

// Purge drops the entries unused for longer than the TTL.
func (c *Cache) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.purgeLocked()
}

func (c *Cache) purgeLocked() {
	for digest, e := range c.entries {
		if c.expired(e) {
			delete(c.entries, digest)
		}
	}
	for digest, p := range c.shared {
		if p.Value() == nil {
			delete(c.shared, digest)
		}
	}
}

// Run purges expired entries every interval until ctx is done; it fits
// manager.RunnableFunc.
func (c *Cache) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		<-ctx.Done()
		return nil
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			c.Purge()
		}
	}
}

// Len is the number of indexes held.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Parses is how many parses the cache ran since it was made.
func (c *Cache) Parses() int64 { return c.parses.Load() }
