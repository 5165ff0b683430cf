package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
)

// staleTempAge is how old a temp file must be before GarbageCollect treats it
// as the leftover of a crashed write. Archive keeps writing to its temp file,
// so a live one is always fresh; the margin protects a write that races with
// a caller who forgot to hold the lock.
const staleTempAge = 5 * time.Minute

// gcCandidate is a previous artifact of the object.
type gcCandidate struct {
	name  string
	mtime time.Time
}

// GarbageCollect deletes old files in the directory of current's object and
// returns the storage-relative paths it deleted. It keeps current, plus the
// retentionRecords-1 newest other artifacts (by mtime) that are not older
// than the retention TTL, and removes stale temp files. Subdirectories and
// other objects' directories are never touched. A missing directory is not an
// error. Callers should hold Lock(current).
func (s *Storage) GarbageCollect(current meta.Artifact) (deleted []string, err error) {
	objDir, curFile, err := s.objectDir(current)
	if err != nil {
		return nil, fmt.Errorf("garbage collect: %w", err)
	}
	dirents, err := os.ReadDir(objDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("garbage collect: %w", err)
	}

	now := time.Now()
	var victims []string
	var artifacts []gcCandidate
	for _, d := range dirents {
		if d.Name() == curFile || d.IsDir() || d.Type()&fs.ModeSymlink != 0 { // links: see Symlink
			continue
		}
		info, err := d.Info()
		if err != nil {
			continue // removed by someone else meanwhile
		}
		if strings.HasPrefix(d.Name(), tempPrefix) {
			if now.Sub(info.ModTime()) > staleTempAge {
				victims = append(victims, d.Name())
			}
			continue
		}
		artifacts = append(artifacts, gcCandidate{name: d.Name(), mtime: info.ModTime()})
	}
	victims = append(victims, s.expired(artifacts, now)...)

	var errs []error
	objPath := path.Dir(current.Path)
	for _, name := range victims {
		err := os.Remove(filepath.Join(objDir, name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		deleted = append(deleted, path.Join(objPath, name))
	}
	return deleted, errors.Join(errs...)
}

// expired returns the names among previous artifacts that fall outside the
// retention policy. The current artifact takes one of the retained records.
func (s *Storage) expired(artifacts []gcCandidate, now time.Time) []string {
	// Newest first; the name breaks ties so equal mtimes give a stable result.
	slices.SortFunc(artifacts, func(x, y gcCandidate) int {
		if c := y.mtime.Compare(x.mtime); c != 0 {
			return c
		}
		return strings.Compare(y.name, x.name)
	})
	keep := s.retentionRecords - 1
	var out []string
	for i, a := range artifacts {
		if i < keep && now.Sub(a.mtime) <= s.retentionTTL {
			continue
		}
		out = append(out, a.name)
	}
	return out
}
