package ociartifact

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

const (
	// DefaultMaxSize is what Extract allows a layer to unpack to when given
	// a maxSize of 0: 100 MiB, Flux's default.
	DefaultMaxSize int64 = 100 << 20
	// NoSizeLimit as maxSize lifts the size limit (the entry limit stays).
	NoSizeLimit int64 = -1
	// MaxEntries caps the entries of one layer: a tarball of empty files
	// costs no bytes but an inode each, so the size limit alone does not
	// bound the work.
	MaxEntries = 100_000
)

// Extract unpacks the gzip-compressed tarball r into dest, created if
// missing. It refuses, with ErrUnsafeArchive, any entry that would reach
// outside dest: an absolute path, a path with '..', a path below a symlink of
// the layer, a symlink whose target is absolute or leaves dest, a hard link,
// a device file or a named pipe. It refuses with ErrTooLarge a layer whose
// files hold more than maxSize bytes (0: DefaultMaxSize; NoSizeLimit: none)
// or that has more than MaxEntries entries, and with ErrInvalidArchive what
// is not a gzip-compressed tarball.
//
// Symlinks that stay inside dest are created as symlinks. Files get mode
// 0o644, or 0o755 when any executable bit is set; times and owners are not
// restored. Every write goes through an os.Root at dest, so even a file
// system changed underneath cannot lead a write outside it.
//
// Extract stops at the first refusal; dest may then hold part of the layer.
// Extract into a new, empty directory and remove it on error.
func Extract(r io.Reader, dest string, maxSize int64) error {
	if maxSize == 0 {
		maxSize = DefaultMaxSize
	}
	src := &sourceReader{r: r}
	zr, err := gzip.NewReader(src)
	if err != nil {
		return src.blame(wrapError(ErrInvalidArchive, err,
			"the artifact layer is not gzip-compressed (%v): push a .tar.gz layer, as `tide push artifact` does", err))
	}
	defer zr.Close()
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return err
	}
	root, err := os.OpenRoot(dest)
	if err != nil {
		return err
	}
	defer root.Close()
	x := &extractor{root: root, maxSize: maxSize, symlinks: map[string]bool{}}
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return src.blame(checkGzipEnd(zr))
		}
		if err != nil {
			return src.blame(wrapError(ErrInvalidArchive, err,
				"the artifact layer is not a valid tarball (%v): push it again", err))
		}
		if err := x.entry(hdr, layerReader{tr}); err != nil {
			if _, ok := errors.AsType[*kindError](err); ok {
				return src.blame(err)
			}
			return src.blame(fmt.Errorf("extracting layer entry %q: %w", hdr.Name, err))
		}
	}
}

// maxTrailing bounds what may follow the tarball's end inside the gzip
// stream: writers pad to a record (10 KiB) at most.
const maxTrailing = 1 << 20

// checkGzipEnd reads the gzip stream past the tarball's end to its trailer,
// whose checksum tells a layer cut short from a whole one.
func checkGzipEnd(zr *gzip.Reader) error {
	n, err := io.Copy(io.Discard, io.LimitReader(zr, maxTrailing+1))
	switch {
	case err != nil:
		return wrapError(ErrInvalidArchive, err,
			"the artifact layer is cut short or corrupt (%v): push it again", err)
	case n > maxTrailing:
		return newError(ErrInvalidArchive,
			"the artifact layer has more than %d bytes after the end of its tarball: refusing it; push it again", maxTrailing)
	}
	return nil
}

// sourceReader remembers the error its reader returned, so that a failing
// download is not taken for a broken layer.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		s.err = err
	}
	return n, err
}

// blame returns the source's own error when reading it failed: as it is
// when it has a kind (a size limit, a digest mismatch), else as a failed
// read, to be retried. Otherwise err stands.
func (s *sourceReader) blame(err error) error {
	if s.err == nil {
		return err
	}
	if _, ok := errors.AsType[*kindError](s.err); ok {
		return s.err
	}
	return fmt.Errorf("reading the artifact layer: %w", s.err)
}

// extractor is the state of one Extract. Its paths are slash-separated,
// cleaned and relative to root.
type extractor struct {
	root     *os.Root
	maxSize  int64
	written  int64
	entries  int
	symlinks map[string]bool // symlinks made so far: no later entry may go through one
}

func (x *extractor) entry(hdr *tar.Header, body io.Reader) error {
	x.entries++
	if x.entries > MaxEntries {
		return newError(ErrTooLarge,
			"the artifact layer has more than %d entries: refusing to extract it; push a smaller artifact", MaxEntries)
	}
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil // PAX metadata for the whole archive, not a file
	}
	name, err := x.entryPath(hdr)
	if err != nil || name == "." {
		return err
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		return x.root.MkdirAll(name, 0o755)
	case tar.TypeReg, tar.TypeGNUSparse:
		return x.writeFile(name, hdr, body)
	case tar.TypeSymlink:
		return x.symlink(name, hdr.Linkname)
	case tar.TypeLink:
		return unsafeEntry(hdr.Name, "is a hard link to %q", hdr.Linkname)
	case tar.TypeChar, tar.TypeBlock:
		return unsafeEntry(hdr.Name, "is a device file")
	case tar.TypeFifo:
		return unsafeEntry(hdr.Name, "is a named pipe")
	default:
		return newError(ErrInvalidArchive,
			"the artifact layer entry %q has the unsupported type %q: refusing to extract it; push only files, folders and symlinks",
			hdr.Name, hdr.Typeflag)
	}
}

// entryPath checks an entry's name and returns it cleaned: relative, without
// '..', and not below a symlink (writing there would follow the link).
func (x *extractor) entryPath(hdr *tar.Header) (string, error) {
	name := hdr.Name
	switch {
	case name == "":
		return "", newError(ErrInvalidArchive, "the artifact layer has an entry without a name: refusing to extract it; push it again")
	case path.IsAbs(name):
		return "", unsafeEntry(name, "is an absolute path")
	case hasDotDot(name):
		return "", unsafeEntry(name, "leaves the destination with '..'")
	}
	clean := path.Clean(name)
	dir := clean
	if hdr.Typeflag != tar.TypeDir { // a directory entry may not be a symlink either
		dir = path.Dir(clean)
	}
	for ; dir != "."; dir = path.Dir(dir) {
		if x.symlinks[dir] {
			return "", unsafeEntry(name, "goes through the symlink %q", dir)
		}
	}
	return clean, nil
}

func (x *extractor) writeFile(name string, hdr *tar.Header, body io.Reader) error {
	if x.maxSize >= 0 && hdr.Size > x.maxSize-x.written {
		return x.tooLarge()
	}
	if err := x.prepare(name); err != nil {
		return err
	}
	mode := fs.FileMode(0o644)
	if hdr.Mode&0o111 != 0 {
		mode = 0o755
	}
	// O_EXCL: prepare removed what was there, so nothing is followed.
	f, err := x.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	var src io.Reader = body
	if x.maxSize >= 0 {
		// The header is not trusted: count what is copied, one byte past
		// the budget to know it was passed.
		src = io.LimitReader(src, x.maxSize-x.written+1)
	}
	n, err := io.Copy(f, src)
	x.written += n
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if x.maxSize >= 0 && x.written > x.maxSize {
		return x.tooLarge()
	}
	return err
}

func (x *extractor) tooLarge() error {
	return newError(ErrTooLarge,
		"the artifact layer unpacks to more than %d bytes: refusing to extract it; push a smaller artifact or raise the size limit", x.maxSize)
}

func (x *extractor) symlink(name, target string) error {
	if err := checkSymlink(name, target); err != nil {
		return err
	}
	if err := x.prepare(name); err != nil {
		return err
	}
	if err := x.root.Symlink(target, name); err != nil {
		return err
	}
	x.symlinks[name] = true
	return nil
}

// checkSymlink refuses a symlink whose target is outside dest, resolved from
// the link's own folder as the kernel does. '..' may only lead the target:
// further in, as in "x/../..", it would step back out of x, which may be (or
// become) a symlink that lands elsewhere than path.Clean assumes. Leading, it
// climbs the link's parents, which entryPath made sure are real folders.
func checkSymlink(name, target string) error {
	if target == "" {
		return newError(ErrInvalidArchive, "the artifact layer's symlink %q has no target: refusing to extract it; push it again", name)
	}
	if path.IsAbs(target) {
		return unsafeEntry(name, "is a symlink to the absolute path %q", target)
	}
	seenName := false
	for part := range strings.SplitSeq(target, "/") {
		switch part {
		case "", ".":
		case "..":
			if seenName {
				return unsafeEntry(name, "is a symlink to %q, with '..' after a name", target)
			}
		default:
			seenName = true
		}
	}
	if hasDotDot(path.Join(path.Dir(name), target)) {
		return unsafeEntry(name, "is a symlink to %q, outside the destination", target)
	}
	return nil
}

// prepare makes name's parent folders and removes a file or symlink at name:
// as with tar itself, a later entry replaces an earlier one. A folder is not
// replaced, so the parents entryPath checked stay folders.
func (x *extractor) prepare(name string) error {
	if dir := path.Dir(name); dir != "." {
		if err := x.root.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	fi, err := x.root.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.IsDir():
		return newError(ErrInvalidArchive,
			"the artifact layer entry %q replaces a folder: refusing to extract it; push it again", name)
	}
	delete(x.symlinks, name)
	return x.root.Remove(name)
}

// layerReader marks read errors while a file is copied as the layer's, to
// tell a corrupt layer from a failing disk.
type layerReader struct{ r io.Reader }

func (l layerReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = wrapError(ErrInvalidArchive, err, "the artifact layer is not a valid tarball (%v): push it again", err)
	}
	return n, err
}

func hasDotDot(p string) bool {
	for part := range strings.SplitSeq(p, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}

func unsafeEntry(name, format string, args ...any) error {
	return newError(ErrUnsafeArchive,
		"the artifact layer holds an unsafe entry %q, which %s: refusing to extract it; rebuild the artifact from a plain folder (tide push artifact)",
		name, fmt.Sprintf(format, args...))
}
