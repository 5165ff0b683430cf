package tagstore

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// DefaultMaxCachedTags bounds the tags held in memory when Options say
// nothing: a few MiB of tags.
const DefaultMaxCachedTags = 100_000

// Options configure a Store.
type Options struct {
	// MaxCachedTags bounds the tags of all lists kept in memory; the least
	// recently used lists go first. The list just written or read is
	// always kept, however long.
	MaxCachedTags int
}

// Key names the ImageRepository a list of tags belongs to.
type Key struct{ Namespace, Name string }

func (k Key) String() string { return k.Namespace + "/" + k.Name }

// Store keeps tag lists, one file per ImageRepository under its
// directory. It is safe for concurrent use.
type Store struct {
	dir     string
	maxTags int

	mu     sync.Mutex
	lru    *list.List            // of *entry, most recently used first
	byKey  map[Key]*list.Element // key → its element in lru
	cached int                   // tags held by the lists in lru
}

type entry struct {
	key  Key
	tags []string
}

// Open returns the store kept in dir, creating dir if needed.
func Open(dir string, opts Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("tag store: %w", err)
	}
	maxTags := opts.MaxCachedTags
	if maxTags <= 0 {
		maxTags = DefaultMaxCachedTags
	}
	return &Store{dir: dir, maxTags: maxTags, lru: list.New(), byKey: map[Key]*list.Element{}}, nil
}

// Set records the tags of key, replacing those recorded before, and
// returns their revision for status.lastScanResult.revision: the sha256 of
// the file, as Flux's filesystem storage reports it, so equal tags give an
// equal revision. The tags are kept sorted in reverse, as Flux keeps them;
// tags itself is not changed.
func (s *Store) Set(key Key, tags []string) (string, error) {
	path, err := s.path(key)
	if err != nil {
		return "", err
	}
	sorted := slices.Clone(tags)
	slices.SortFunc(sorted, func(a, b string) int { return strings.Compare(b, a) })
	sorted = slices.Compact(sorted)
	data := lines(sorted)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("tag store: %w", err)
	}
	if err := writeAtomically(path, data); err != nil {
		return "", fmt.Errorf("tag store: writing the tags of %s: %w", key, err)
	}
	// Kept as read back: one string for all the tags' text, not the
	// registry answer's many.
	s.remember(key, parseLines(data))
	return Revision(data), nil
}

// Revision is the revision of a tag file's content.
func Revision(data []byte) string {
	return fmt.Sprintf("sha256:%x", sha256.Sum256(data))
}

// Tags returns the tags recorded for key, sorted in reverse, or none
// (and no error) when nothing was recorded. The slice is shared: callers
// must not change it.
func (s *Store) Tags(key Key) ([]string, error) {
	s.mu.Lock()
	if el, ok := s.byKey[key]; ok {
		s.lru.MoveToFront(el)
		tags := el.Value.(*entry).tags
		s.mu.Unlock()
		return tags, nil
	}
	s.mu.Unlock()

	path, err := s.path(key)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tag store: reading the tags of %s: %w", key, err)
	}
	tags := parseLines(data)
	s.remember(key, tags)
	return tags, nil
}

// Delete forgets the tags of key (its ImageRepository is gone).
func (s *Store) Delete(key Key) error {
	s.mu.Lock()
	if el, ok := s.byKey[key]; ok {
		s.drop(el)
	}
	s.mu.Unlock()
	path, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("tag store: %w", err)
	}
	return nil
}

// CachedTags is how many tags the store holds in memory.
func (s *Store) CachedTags() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cached
}

// remember puts tags first in the cache, then pushes out the least
// recently used lists until the cache is within its bound again.
func (s *Store) remember(key Key, tags []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.byKey[key]; ok {
		s.drop(el)
	}
	s.byKey[key] = s.lru.PushFront(&entry{key: key, tags: tags})
	s.cached += len(tags)
	for s.cached > s.maxTags && s.lru.Len() > 1 {
		s.drop(s.lru.Back())
	}
}

func (s *Store) drop(el *list.Element) {
	e := el.Value.(*entry)
	s.lru.Remove(el)
	delete(s.byKey, e.key)
	s.cached -= len(e.tags)
}

// path is key's file, <dir>/<namespace>/<name>.tags. Kubernetes names
// hold no slashes; a key that would leave dir is refused all the same.
func (s *Store) path(key Key) (string, error) {
	for _, part := range []string{key.Namespace, key.Name} {
		if part == "" || part == "." || part == ".." || strings.ContainsAny(part, `/\`) {
			return "", fmt.Errorf("tag store: invalid key %q", key)
		}
	}
	return filepath.Join(s.dir, key.Namespace, key.Name+".tags"), nil
}

// lines is one tag per line, each ended by a newline.
func lines(tags []string) []byte {
	n := 0
	for _, t := range tags {
		n += len(t) + 1
	}
	var b bytes.Buffer
	b.Grow(n)
	for _, t := range tags {
		b.WriteString(t)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// parseLines reads lines back. The tags are cut from one string, so a long
// list costs one allocation for its text, not one per tag.
func parseLines(data []byte) []string {
	text := string(data)
	tags := make([]string, 0, bytes.Count(data, []byte{'\n'}))
	for len(text) > 0 {
		line, rest, _ := strings.Cut(text, "\n")
		if line != "" {
			tags = append(tags, line)
		}
		text = rest
	}
	return tags
}
