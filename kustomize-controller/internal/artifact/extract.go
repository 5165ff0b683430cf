package artifact

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// defaultMaxEntries caps the number of entries in one archive. A tar of empty
// files costs no bytes to unpack but one inode each, so the size cap alone
// does not bound the work.
const defaultMaxEntries = 100_000

// limits bound what one archive may unpack to.
type limits struct {
	maxBytes   int64 // total size of the regular files' content
	maxEntries int
}

// unpack extracts the gzip-compressed tarball r into root, an empty
// directory. It stops at the first entry it refuses; root may then hold part
// of the archive, and the caller removes it.
func unpack(r io.Reader, root string, lim limits) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return wrapError(ErrInvalidArchive, err,
			"artifact is not gzip-compressed (%v): the source must serve a .tar.gz; fix the source", err)
	}
	defer zr.Close()
	return unpackTar(zr, root, lim)
}

// unpackTar is unpack for an uncompressed tar stream.
func unpackTar(r io.Reader, root string, lim limits) error {
	u := &unpacker{root: root, lim: lim, symlinks: map[string]bool{}}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return wrapError(ErrInvalidArchive, err,
				"artifact is not a valid tarball (%v); fix the source", err)
		}
		if err := u.entry(hdr, tr); err != nil {
			if _, ok := errors.AsType[*kindError](err); ok {
				return err
			}
			return fmt.Errorf("unpacking artifact entry %q: %w", hdr.Name, err)
		}
	}
}

// unpacker is the state of one extraction. Paths in it are slash-separated,
// cleaned and relative to root.
type unpacker struct {
	root     string
	lim      limits
	written  int64
	entries  int
	symlinks map[string]bool // symlinks created so far, which no later entry may write through
}

func (u *unpacker) entry(hdr *tar.Header, body io.Reader) error {
	u.entries++
	if u.entries > u.lim.maxEntries {
		return newError(ErrTooLarge,
			"artifact has more than %d entries: refusing to unpack it; make the source smaller, e.g. with an ignore rule", u.lim.maxEntries)
	}
	name, err := u.entryPath(hdr)
	if err != nil || name == "." { // "." is the root's own entry, "./"
		return err
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		return u.mkdir(name)
	case tar.TypeReg, tar.TypeGNUSparse:
		return u.writeFile(name, hdr, body)
	case tar.TypeSymlink:
		return u.symlink(name, hdr.Linkname)
	case tar.TypeLink:
		// A hard link names an existing inode; one to a file outside root
		// would hand that file to kustomize. Its target could be checked,
		// but sources never produce hard links, so they are refused.
		return unsafeError(hdr.Name, "is a hard link to %q", hdr.Linkname)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		return nil // nothing kustomize can read; skipped rather than refused
	default:
		return newError(ErrInvalidArchive,
			"artifact entry %q has unsupported type %q: refusing to unpack it; fix the source", hdr.Name, hdr.Typeflag)
	}
}

// entryPath checks an entry's name and returns it cleaned. It refuses names
// that leave root and names below a symlink, since writing there would
// follow the link.
func (u *unpacker) entryPath(hdr *tar.Header) (string, error) {
	name := hdr.Name
	switch {
	case name == "":
		return "", newError(ErrInvalidArchive, "artifact has an entry without a name: refusing to unpack it; fix the source")
	case path.IsAbs(name):
		return "", unsafeError(name, "is absolute")
	case hasDotDot(name):
		return "", unsafeError(name, "leaves the artifact root")
	}
	clean := path.Clean(name)
	dir := clean
	if hdr.Typeflag != tar.TypeDir { // a directory entry may not be a symlink itself either
		dir = path.Dir(clean)
	}
	for ; dir != "."; dir = path.Dir(dir) {
		if u.symlinks[dir] {
			return "", unsafeError(name, "goes through the symlink %q", dir)
		}
	}
	return clean, nil
}

func (u *unpacker) mkdir(name string) error {
	return os.MkdirAll(u.osPath(name), 0o755)
}

func (u *unpacker) writeFile(name string, hdr *tar.Header, body io.Reader) error {
	if err := u.prepare(name); err != nil {
		return err
	}
	mode := fs.FileMode(0o644)
	if hdr.Mode&0o111 != 0 {
		mode = 0o755
	}
	// O_EXCL: prepare removed whatever was there, so nothing is followed.
	f, err := os.OpenFile(u.osPath(name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	// The header's size is not trusted: count what is actually copied, and
	// read one byte past the budget to know it was exceeded.
	n, err := io.Copy(f, io.LimitReader(archiveReader{body}, u.lim.maxBytes-u.written+1))
	u.written += n
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if u.written > u.lim.maxBytes {
		return newError(ErrTooLarge,
			"artifact unpacks to more than %d bytes: refusing to unpack it; make the source smaller or raise %s", u.lim.maxBytes, maxSizeFlag)
	}
	return err
}

func (u *unpacker) symlink(name, target string) error {
	if err := checkSymlink(name, target); err != nil {
		return err
	}
	if err := u.prepare(name); err != nil {
		return err
	}
	if err := os.Symlink(target, u.osPath(name)); err != nil {
		return err
	}
	u.symlinks[name] = true
	return nil
}

// checkSymlink refuses a symlink whose target is outside root. The target is
// resolved from the link's own directory, as the kernel does.
//
// '..' is allowed only at the start of the target. Further in, as in
// "x/../..", it would step back out of x, and if x is (or later becomes) a
// symlink that lands somewhere else than path.Clean assumes. At the start it
// climbs the link's parent directories, which are real directories: entryPath
// made sure of that.
func checkSymlink(name, target string) error {
	if target == "" {
		return newError(ErrInvalidArchive, "artifact symlink %q has no target: refusing to unpack it; fix the source", name)
	}
	if path.IsAbs(target) {
		return unsafeError(name, "is a symlink to the absolute path %q", target)
	}
	seenName := false
	for _, part := range strings.Split(target, "/") {
		switch part {
		case "", ".":
		case "..":
			if seenName {
				return unsafeError(name, "is a symlink to %q, which has '..' after a name", target)
			}
		default:
			seenName = true
		}
	}
	if hasDotDot(path.Join(path.Dir(name), target)) {
		return unsafeError(name, "is a symlink to %q, outside the artifact root", target)
	}
	return nil
}

// prepare makes the parent directories of name and removes a file or symlink
// already at name: as with tar itself, a later entry replaces an earlier one.
// A directory is not replaced, so the parents checked by entryPath stay real
// directories.
func (u *unpacker) prepare(name string) error {
	if err := os.MkdirAll(u.osPath(path.Dir(name)), 0o755); err != nil {
		return err
	}
	fi, err := os.Lstat(u.osPath(name))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.IsDir():
		return newError(ErrInvalidArchive,
			"artifact entry %q replaces a directory: refusing to unpack it; fix the source", name)
	}
	delete(u.symlinks, name)
	return os.Remove(u.osPath(name))
}

func (u *unpacker) osPath(name string) string {
	return filepath.Join(u.root, filepath.FromSlash(name))
}

// archiveReader tells a broken archive from a failing disk while a file is
// copied: read errors are the archive's.
type archiveReader struct{ r io.Reader }

func (a archiveReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = wrapError(ErrInvalidArchive, err,
			"artifact is not a valid tarball (%v); fix the source", err)
	}
	return n, err
}

// hasDotDot reports whether a slash path has a ".." component.
func hasDotDot(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}

// unsafeError reports an entry that would reach outside the unpack root.
func unsafeError(name, format string, args ...any) error {
	return newError(ErrUnsafeArchive,
		"artifact contains an unsafe path %q, which %s: refusing to unpack it; fix the source",
		name, fmt.Sprintf(format, args...))
}
