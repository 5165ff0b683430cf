package artifact

import (
	"container/list"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

const (
	defaultMaxSize = 100 << 20 // 100 MiB
	defaultKeep    = 8
	// defaultTimeout bounds one download attempt (the HTTP client's
	// timeout); the retries of one download are bounded by its deadline
	// (see downloadDeadline).
	defaultTimeout = 2 * time.Minute
	// defaultMaxWait bounds how long one Get waits for a download (see Get).
	defaultMaxWait = 30 * time.Second
	// tmpPrefix starts the name of everything in the cache dir that is not a
	// finished tree: downloads, trees being unpacked, trees being removed.
	tmpPrefix = ".tmp-"
)

// Options configure a Cache.
type Options struct {
	MaxSize    int64        // cap on the download AND on the total unpacked size; default 100 MiB when 0
	HTTPClient *http.Client // default: a client with a 2 minute timeout, which is what ends a stuck download
	Keep       int          // unpacked digests kept on disk while no one uses them (LRU); default 8
	// Retries is how many times a failed download is tried again
	// (--http-retry; see retry.go). Zero, unlike the other options, is
	// zero: no retry.
	Retries int
	// RetryWait is the wait before the first retry, doubled for each next
	// one up to 30s; default 5s, as Flux's.
	RetryWait time.Duration
	// MaxWait is the longest a Get waits for a download before it returns
	// an error while the download goes on; default 30s.
	MaxWait time.Duration
}

// Cache downloads, verifies and unpacks artifacts into a directory, once per
// digest, and shares the unpacked trees between callers. It is safe for
// concurrent use.
type Cache struct {
	dir    string
	client *http.Client
	lim    limits
	keep   int
	retry  retryPolicy
	// maxWait bounds a Get's wait, deadline a shared download with its
	// retries (see Get).
	maxWait  time.Duration
	deadline time.Duration
	group    singleflight.Group

	mu      sync.Mutex
	entries map[string]*entry // by digest dir name
	failed  map[string]error  // the last failed attempt of the download under way, by flight key
	unused  *list.List        // of *entry with no users, most recently released first
	trashed int               // names trash directories uniquely
}

// entry is one unpacked tree. It is in unused exactly when refs is 0.
type entry struct {
	name   string
	refs   int
	unused *list.Element
}

// NewCache returns a Cache that unpacks into dir. dir is created if missing;
// what an earlier process left in it is removed. Zero or negative options
// take their defaults.
func NewCache(dir string, opts Options) (*Cache, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("artifact cache dir %q: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("creating artifact cache dir: %w", err)
	}
	if err := removeStale(abs); err != nil {
		return nil, err
	}
	c := &Cache{
		dir:     abs,
		client:  opts.HTTPClient,
		lim:     limits{maxBytes: opts.MaxSize, maxEntries: defaultMaxEntries},
		keep:    opts.Keep,
		retry:   newRetryPolicy(opts.Retries, opts.RetryWait),
		maxWait: opts.MaxWait,
		entries: map[string]*entry{},
		failed:  map[string]error{},
		unused:  list.New(),
	}
	if c.client == nil {
		c.client = &http.Client{Timeout: defaultTimeout}
	}
	if c.maxWait <= 0 {
		c.maxWait = defaultMaxWait
	}
	c.deadline = downloadDeadline(c.retry, c.client.Timeout)
	if c.lim.maxBytes <= 0 {
		c.lim.maxBytes = defaultMaxSize
	}
	if c.keep <= 0 {
		c.keep = defaultKeep
	}
	return c, nil
}

// removeStale removes what this package wrote in dir and nothing else, so a
// cache dir pointed at the wrong place by mistake does not wipe it.
func removeStale(dir string) error {
	des, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("reading artifact cache dir: %w", err)
	}
	for _, de := range des {
		if strings.HasPrefix(de.Name(), tmpPrefix) || isDigestDirName(de.Name()) {
			if err := os.RemoveAll(filepath.Join(dir, de.Name())); err != nil {
				return fmt.Errorf("removing stale artifact: %w", err)
			}
		}
	}
	return nil
}

// Get returns the directory holding the unpacked content of the artifact with this digest,
// downloading and unpacking it only if no earlier Get did. Callers must call release when done;
// the directory must be treated as read-only. Concurrent Gets of one digest share one download.
//
// A Get waits for the download at most until ctx ends or MaxWait has
// passed, whichever comes first: a reconciliation must not hold its worker
// through a source-controller outage (--http-retry's waits add up to
// minutes), nor keep suspend and deletion waiting. The shared download does
// not stop then, since other callers may be waiting for it: it goes on,
// retries included, until it succeeds, fails for good or reaches its own
// deadline (see downloadDeadline), and a later Get of the digest joins it
// or finds its tree.
func (c *Cache) Get(ctx context.Context, url, digest string) (dir string, release func(), err error) {
	d, err := parseDigest(digest)
	if err != nil {
		return "", nil, err
	}
	name := d.dirName()
	// One download per digest and URL: two sources may serve equal
	// content from different source-controllers, and a Get must never
	// wait on a download from a URL other than its own, which may be dead
	// (a source-controller gone, a URL no longer served).
	key := name + "\x00" + url
	waited := time.NewTimer(c.maxWait)
	defer waited.Stop()
	for {
		if dir, release, ok := c.acquire(name); ok {
			return dir, release, nil
		}
		fetched := c.group.DoChan(key, func() (any, error) {
			fetchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.deadline)
			defer cancel()
			return nil, c.fetch(fetchCtx, key, url, d)
		})
		select {
		case <-ctx.Done():
			return "", nil, fmt.Errorf("waiting for artifact %s: %w", d, ctx.Err())
		case <-waited.C:
			return "", nil, c.stillDownloading(key, d)
		case res := <-fetched:
			if res.Err != nil {
				return "", nil, res.Err
			}
		}
		// Fetched. Acquiring fails only if enough other trees were released
		// since to evict this one; then it is fetched again.
	}
}

// stillDownloading is the error of a Get that stopped waiting for a
// download that goes on, with its last failed attempt if any.
func (c *Cache) stillDownloading(key string, d digest) error {
	c.mu.Lock()
	last := c.failed[key]
	c.mu.Unlock()
	if last == nil {
		return newError(ErrDownload, "artifact %s is still downloading after %s; it goes on, and is checked again shortly",
			d, c.maxWait)
	}
	return wrapError(ErrDownload, last, "artifact %s not downloaded after %s, it is retried (see --http-retry): %s",
		d, c.maxWait, last.Error())
}

// acquire takes a reference on the named tree if it is unpacked.
func (c *Cache) acquire(name string) (dir string, release func(), ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[name]
	if !ok {
		return "", nil, false
	}
	if e.refs == 0 {
		c.unused.Remove(e.unused)
		e.unused = nil
	}
	e.refs++
	return filepath.Join(c.dir, name), sync.OnceFunc(func() { c.release(e) }), true
}

func (c *Cache) release(e *entry) {
	c.mu.Lock()
	e.refs--
	if e.refs > 0 {
		c.mu.Unlock()
		return
	}
	e.unused = c.unused.PushFront(e)
	trash := c.evictLocked()
	c.mu.Unlock()
	removeAll(trash)
}

// fetch downloads, verifies and unpacks the artifact, then adds its tree to
// the cache as unused; the Gets waiting on it acquire it next.
func (c *Cache) fetch(ctx context.Context, key, url string, d digest) error {
	name := d.dirName()
	c.mu.Lock()
	_, done := c.entries[name] // by a fetch that finished after our Get looked
	c.mu.Unlock()
	if done {
		return nil
	}

	defer func() {
		c.mu.Lock()
		delete(c.failed, key)
		c.mu.Unlock()
	}()
	archive, err := c.retry.do(ctx, func() (string, error) {
		path, err := download(ctx, c.client, url, d, c.dir, c.lim.maxBytes)
		if err != nil {
			c.mu.Lock()
			c.failed[key] = err
			c.mu.Unlock()
		}
		return path, err
	})
	if err != nil {
		return err
	}
	defer os.Remove(archive)
	tmp, err := os.MkdirTemp(c.dir, tmpPrefix+"unpack-")
	if err != nil {
		return fmt.Errorf("creating a directory for the artifact: %w", err)
	}
	if err := unpackFile(archive, tmp, c.lim); err != nil {
		os.RemoveAll(tmp)
		return err
	}

	c.mu.Lock()
	if _, done := c.entries[name]; done { // the download from another URL won
		c.mu.Unlock()
		os.RemoveAll(tmp)
		return nil
	}
	// Renamed under the lock, so it cannot interleave with an eviction of
	// the same name (see evictLocked).
	if err := os.Rename(tmp, filepath.Join(c.dir, name)); err != nil {
		c.mu.Unlock()
		os.RemoveAll(tmp)
		return fmt.Errorf("moving the unpacked artifact into place: %w", err)
	}
	e := &entry{name: name}
	e.unused = c.unused.PushFront(e)
	c.entries[name] = e
	trash := c.evictLocked()
	c.mu.Unlock()
	removeAll(trash)
	return nil
}

func unpackFile(archive, root string, lim limits) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	return unpack(f, root, lim)
}

// evictLocked drops the least recently used unused trees beyond c.keep and
// returns the paths to remove once c.mu is released. Each tree is renamed
// away first, while locked: its name is then free at once for a new fetch,
// and the slow removal runs without the lock.
func (c *Cache) evictLocked() (trash []string) {
	for c.unused.Len() > c.keep {
		e := c.unused.Remove(c.unused.Back()).(*entry)
		delete(c.entries, e.name)
		from := filepath.Join(c.dir, e.name)
		c.trashed++
		to := filepath.Join(c.dir, tmpPrefix+"trash-"+strconv.Itoa(c.trashed))
		if err := os.Rename(from, to); err != nil {
			os.RemoveAll(from) // slow, but keeps the name free for the next fetch
			continue
		}
		trash = append(trash, to)
	}
	return trash
}

func removeAll(paths []string) {
	for _, p := range paths {
		os.RemoveAll(p)
	}
}
