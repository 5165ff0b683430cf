package storage

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tidegitops/tide/source-controller/internal/sourcetree"
)

// Filter decides which paths of a directory are left out of an archive.
// relPath is slash-separated and relative to the archived directory, without
// a trailing slash. Returning true EXCLUDES that path only: Filter is still
// asked about everything below an excluded directory, so that a file there
// can be kept, as Flux's archiver does (the tarball then has no entry for
// the directory itself; extractors create it). A nil Filter includes
// everything.
type Filter func(relPath string, isDir bool) bool

// Prune reports whether the directory at relPath (as for Filter) and all
// below it are left out whatever Filter says of them, so the walk need not
// enter it. It is how excluded symlinked folders stay within sourcetree's
// bounds on what links may add.
type Prune func(relPath string) bool

// epoch is the modification time of every archived entry: real mtimes
// depend on when the checkout happened and would change the digest.
var epoch = time.Unix(0, 0)

// archiveEntry is one path to put in the tarball.
type archiveEntry struct {
	name   string // slash-separated, relative to the archived directory
	source string // file whose content is stored: name, or what a symlink leads to
	isDir  bool
}

// Archive writes dir as a deterministic .tar.gz to the artifact's local path
// and sets a.Digest, a.Size and a.LastUpdateTime. Identical content always
// gives identical bytes: entries are sorted by path and carry no owner, no
// real mtime and only 0o755 (directories, executables) or 0o644 modes.
//
// What is archived is the tree sourcetree.Walk shows, as Flux archives a
// checkout whose symlinks it replaced with copies:
//   - directories and regular files, except anything named ".git" (at any
//     depth, with all below it) and what filter excludes;
//   - a symlink whose target, resolved without ever leaving dir, is a
//     regular file outside any ".git" directory: as a regular file with the
//     target's content and mode;
//   - such a symlink to a directory: as a directory with the target's
//     content, below the link's path, unless the target holds the link
//     (that copy would never end);
//   - nothing else: other symlinks (absolute, leaving dir even temporarily,
//     dangling, into .git, or part of a loop), sockets, devices and named
//     pipes are skipped.
//
// Links may add at most sourcetree.MaxLinkedEntries entries and
// sourcetree.MaxLinkedBytes bytes; past that, Archive fails with an error
// wrapping *sourcetree.LimitError.
//
// The write is atomic (see writeAtomic); on failure the previously stored
// artifact at the same path is untouched. Callers should hold Lock(*a).
func (s *Storage) Archive(a *meta.Artifact, dir string, filter Filter) error {
	// All access goes through os.Root, which refuses to resolve anything
	// outside dir, even if files change during the walk.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("archive: open source directory: %w", err)
	}
	defer root.Close()
	return s.ArchiveFS(a, root.FS().(fs.ReadLinkFS), filter)
}

// ArchiveFS is Archive reading from a file system instead of a directory,
// such as a Git tree read from the object store: same rules, same bytes for
// the same content. A prune, if given, skips the directories it names.
func (s *Storage) ArchiveFS(a *meta.Artifact, src fs.ReadLinkFS, filter Filter, prune ...Prune) error {
	if a == nil {
		return errors.New("archive: nil artifact")
	}
	objDir, file, err := s.objectDir(*a)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	entries, err := collectEntries(src, filter, prune)
	if err != nil {
		return fmt.Errorf("archive: walk: %w", err)
	}
	digest, size, err := writeAtomic(filepath.Join(objDir, file), func(w io.Writer) error {
		return writeTarGz(w, src, entries)
	})
	if err != nil {
		return fmt.Errorf("archive %s: %w", a.Path, err)
	}
	a.Digest = digest
	a.Size = &size
	a.LastUpdateTime = metav1.Now()
	return nil
}

// collectEntries lists what Archive stores, sorted by path so the tarball
// does not depend on the order in which files were created.
func collectEntries(root fs.ReadLinkFS, filter Filter, prune []Prune) ([]archiveEntry, error) {
	var entries []archiveEntry
	err := sourcetree.Walk(root, func(e sourcetree.Entry) error {
		for _, p := range prune {
			if e.IsDir && p(e.Path) {
				return fs.SkipDir
			}
		}
		if filter != nil && filter(e.Path, e.IsDir) {
			return nil // a directory is still walked: see Filter
		}
		entries = append(entries, archiveEntry{name: e.Path, source: e.Source, isDir: e.IsDir})
		return nil
	})
	slices.SortFunc(entries, func(x, y archiveEntry) int { return strings.Compare(x.name, y.name) })
	return entries, err
}

// writeTarGz writes entries as a tar stream inside a gzip stream. The gzip
// header is left empty (no name, zero mtime) so it does not vary either.
func writeTarGz(w io.Writer, root fs.FS, entries []archiveEntry) error {
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	buf := make([]byte, 32<<10)
	for _, e := range entries {
		var err error
		if e.isDir {
			err = tw.WriteHeader(&tar.Header{
				Typeflag: tar.TypeDir, Name: e.name + "/", Mode: 0o755, ModTime: epoch,
			})
		} else {
			err = addFile(tw, root, e.name, e.source, buf)
		}
		if err != nil {
			return fmt.Errorf("add %s: %w", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// addFile appends an entry called name with the content of the regular file
// at source. Opening through root keeps even a file swapped for a symlink
// after the walk from reaching outside the archived directory.
func addFile(tw *tar.Writer, root fs.FS, name, source string, buf []byte) error {
	f, err := root.Open(source)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return errors.New("no longer a regular file")
	}
	mode := int64(0o644)
	if fi.Mode().Perm()&0o111 != 0 {
		mode = 0o755
	}
	hdr := &tar.Header{
		Typeflag: tar.TypeReg, Name: name, Size: fi.Size(), Mode: mode, ModTime: epoch,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	// A file that shrinks while being read makes tar.Writer report a short
	// write on the next header or Close, so the artifact is never truncated
	// silently; one that grows is cut at the size recorded in the header.
	_, err = io.CopyBuffer(tw, io.LimitReader(f, fi.Size()), buf)
	return err
}
