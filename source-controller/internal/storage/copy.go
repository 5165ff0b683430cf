package storage

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/fluxcd/pkg/apis/meta"
)

// CopyFromArtifact extracts the stored tarball of a into toDir, which it
// creates if needed. Only entries under fromPath (a slash path relative to
// the artifact root; "" or "." means all) are extracted, re-rooted at toDir.
//
// It returns an error, and stops, at the first entry that is unsafe: an
// absolute name, a name with a ".." element, or a type other than directory
// or regular file (symlinks, hard links, devices). Our own artifacts never
// contain such entries, so one that does is corrupt or tampered with. Files
// are written through an os.Root, so nothing is written outside toDir even
// when toDir already holds symlinks pointing elsewhere. On error toDir may
// hold a partial copy and should be discarded.
func (s *Storage) CopyFromArtifact(a meta.Artifact, fromPath, toDir string) error {
	if err := checkArtifactPath(a.Path); err != nil {
		return fmt.Errorf("copy from artifact: %w", err)
	}
	prefix, err := cleanSubPath(fromPath)
	if err != nil {
		return fmt.Errorf("copy from artifact %s: %w", a.Path, err)
	}
	f, err := os.Open(s.LocalPath(a))
	if err != nil {
		return fmt.Errorf("copy from artifact: %w", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("copy from artifact %s: %w", a.Path, err)
	}
	defer gz.Close()
	if err := os.MkdirAll(toDir, 0o755); err != nil {
		return fmt.Errorf("copy from artifact %s: %w", a.Path, err)
	}
	root, err := os.OpenRoot(toDir)
	if err != nil {
		return fmt.Errorf("copy from artifact %s: %w", a.Path, err)
	}
	defer root.Close()

	tr := tar.NewReader(gz)
	buf := make([]byte, 32<<10)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("copy from artifact %s: %w", a.Path, err)
		}
		if err := extractEntry(root, tr, hdr, prefix, buf); err != nil {
			return fmt.Errorf("copy from artifact %s: entry %q: %w", a.Path, hdr.Name, err)
		}
	}
}

// extractEntry writes one tar entry below root if it lies under prefix.
func extractEntry(root *os.Root, r io.Reader, hdr *tar.Header, prefix string, buf []byte) error {
	switch hdr.Typeflag {
	case tar.TypeXGlobalHeader:
		return nil // archive-wide metadata, not a file
	case tar.TypeDir, tar.TypeReg:
	default:
		return fmt.Errorf("unsupported entry type %q", hdr.Typeflag)
	}
	name, err := entryName(hdr.Name)
	if err != nil || name == "." {
		return err
	}
	rel, ok := underPrefix(name, prefix)
	if !ok {
		return nil
	}
	if hdr.Typeflag == tar.TypeDir {
		return root.MkdirAll(rel, 0o755)
	}
	if rel == "." {
		rel = path.Base(name) // fromPath names a file: copy it into toDir
	}
	if dir := path.Dir(rel); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	mode := os.FileMode(0o644)
	if hdr.Mode&0o111 != 0 {
		mode = 0o755
	}
	out, err := root.OpenFile(rel, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	_, err = io.CopyBuffer(out, r, buf)
	if err == nil {
		err = out.Chmod(mode) // an existing file keeps its old mode otherwise
	}
	return errors.Join(err, out.Close())
}

// entryName validates a tar entry name and returns it cleaned ("." for the
// archive root itself).
func entryName(name string) (string, error) {
	if name == "" {
		return "", errors.New("empty name")
	}
	if strings.HasPrefix(name, "/") || filepath.IsAbs(name) {
		return "", errors.New("absolute name")
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return "", errors.New("name contains '..'")
		}
	}
	return path.Clean(name), nil
}

// cleanSubPath normalizes fromPath; "" means the whole artifact.
func cleanSubPath(p string) (string, error) {
	p = strings.Trim(filepath.ToSlash(p), "/")
	if p == "" {
		return "", nil
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("from path %q leaves the artifact", p)
	}
	if c == "." {
		return "", nil
	}
	return c, nil
}

// underPrefix returns name relative to prefix, and false when name is not
// prefix itself or below it.
func underPrefix(name, prefix string) (string, bool) {
	switch {
	case prefix == "":
		return name, true
	case name == prefix:
		return ".", true
	case strings.HasPrefix(name, prefix+"/"):
		return name[len(prefix)+1:], true
	}
	return "", false
}
