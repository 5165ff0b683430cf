package ociartifact

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

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// DefaultIgnorePaths are the paths `flux push artifact` leaves out unless
// --ignore-paths is given (which replaces them): Git's files, images and
// archives.
var DefaultIgnorePaths = []string{
	".git/", ".gitignore", ".gitmodules", ".gitattributes",
	"*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip",
}

// epoch is every entry's modification time: a real one would change the
// digest with every checkout.
var epoch = time.Unix(0, 0)

// Build writes the content layer for root as a gzip-compressed tarball to w.
// root is a directory, whose content is archived with slash-separated paths
// relative to it, or a single file, archived under its base name.
//
// The bytes depend only on the paths, contents and executable bits of what
// is archived: entries are sorted by path, carry the Unix epoch as time, no
// owner, and mode 0o755 (directories, executables) or 0o644; the gzip header
// is empty. Equal input, equal digest, on any machine.
//
// ignorePaths are .gitignore patterns, relative to root, matched against each
// path on its own (as Flux does, a '!' pattern can keep a file whose folder is
// excluded). Symlinks, devices, sockets and pipes are left out, as `flux push
// artifact` leaves them out.
func Build(w io.Writer, root string, ignorePaths []string) error {
	fi, err := os.Stat(root)
	if err != nil {
		return fmt.Errorf("cannot archive %s: %w", root, err)
	}
	var entries []buildEntry
	if fi.IsDir() {
		entries, err = collect(root, newIgnoreMatcher(ignorePaths))
		if err != nil {
			return fmt.Errorf("cannot archive %s: %w", root, err)
		}
	} else {
		entries = []buildEntry{{name: filepath.Base(root), file: root}}
	}
	return writeTarGz(w, entries)
}

// buildEntry is one path of the tarball: a directory, or a regular file
// whose content is read from file.
type buildEntry struct {
	name string // slash-separated, relative to the root
	file string // the file on disk; empty for a directory
}

func collect(root string, ignored func(rel string, isDir bool) bool) ([]buildEntry, error) {
	var entries []buildEntry
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			if !ignored(rel, true) {
				entries = append(entries, buildEntry{name: rel})
			}
		case d.Type().IsRegular():
			if !ignored(rel, false) {
				entries = append(entries, buildEntry{name: rel, file: p})
			}
		}
		return nil
	})
	slices.SortFunc(entries, func(a, b buildEntry) int { return strings.Compare(a.name, b.name) })
	return entries, err
}

func newIgnoreMatcher(patterns []string) func(string, bool) bool {
	var ps []gitignore.Pattern
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if p == "" || strings.HasPrefix(p, "#") {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(p, nil))
	}
	m := gitignore.NewMatcher(ps)
	return func(rel string, isDir bool) bool {
		return m.Match(strings.Split(rel, "/"), isDir)
	}
}

func writeTarGz(w io.Writer, entries []buildEntry) error {
	gz := gzip.NewWriter(w) // its header stays empty: no name, no time
	tw := tar.NewWriter(gz)
	buf := make([]byte, 32<<10)
	for _, e := range entries {
		var err error
		if e.file == "" {
			err = tw.WriteHeader(&tar.Header{
				Typeflag: tar.TypeDir, Name: e.name + "/", Mode: 0o755, ModTime: epoch,
			})
		} else {
			err = addFile(tw, e, buf)
		}
		if err != nil {
			return fmt.Errorf("cannot archive %s: %w", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func addFile(tw *tar.Writer, e buildEntry, buf []byte) error {
	f, err := os.Open(e.file)
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
	err = tw.WriteHeader(&tar.Header{
		Typeflag: tar.TypeReg, Name: e.name, Size: fi.Size(), Mode: mode, ModTime: epoch,
	})
	if err != nil {
		return err
	}
	// A file that shrinks while read makes the next header fail (short
	// write), so the layer is never silently cut; one that grows is cut at
	// the size in its header.
	_, err = io.CopyBuffer(tw, io.LimitReader(f, fi.Size()), buf)
	return err
}
