package build

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Why a path is refused. They are not exported: kustomize rewraps the errors
// of its file system, so callers could not match them anyway.
var (
	errOutsideRoot  = errors.New("it leads outside the source (paths, '..' and symlinks must stay within the artifact)")
	errDangling     = errors.New("it is a symlink to nothing")
	errUnresolvable = errors.New("it cannot be resolved within the source (a symlink loop, or a path leading outside it)")
)

// errReadOnly is returned by the calls that would change the disk.
var errReadOnly = errors.New("the source is read-only during a build")

// cloneDirName is how kustomize names the temporary directory it clones a
// remote base into (os.MkdirTemp("", "kustomize-") in filesys.NewTmpConfirmedDir).
var cloneDirName = regexp.MustCompile(`^kustomize-[0-9]+$`)

// confinedFS is the filesys.FileSystem kustomize builds on. Every path is made
// absolute, cleaned and resolved (symlinks included) before the disk is
// touched, and refused unless it ends inside root. It never writes to the
// disk: files written during a build go to an in-memory overlay that reads
// see first.
//
// When remote bases are allowed, kustomize clones them with git into
// os.TempDir()/kustomize-<digits>. After allowClones, paths in such a
// directory are allowed if it did not exist yet when allowClones was called
// (so it is a clone of this build, not another build's or another
// program's), and if they resolve inside that same clone (or inside root):
// a symlink in a remote base cannot leave its clone either.
type confinedFS struct {
	root string // absolute, symlinks resolved

	mu        sync.RWMutex
	overlay   map[string][]byte // resolved path -> content
	tmp       string            // os.TempDir() resolved, once clones are allowed
	preClones map[string]bool   // clone-like directories that existed before

	// rec, when set, records what the build looks up (inputs.go).
	rec *recorder
}

var _ filesys.FileSystem = (*confinedFS)(nil)

// newConfinedFS confines reads to realRoot, which must be absolute and
// already resolved.
func newConfinedFS(realRoot string) *confinedFS {
	return &confinedFS{root: realRoot, overlay: map[string][]byte{}}
}

// allowClones lets kustomize read the clones of remote bases it makes from
// now on. Clones are told apart from other directories of the same name by
// having appeared after this call, so the caller must make sure no other
// build clones at the same time.
func (f *confinedFS) allowClones() error {
	tmp, err := filepath.EvalSymlinks(os.TempDir())
	if err != nil {
		return fmt.Errorf("temporary directory for remote bases: %w", err)
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return fmt.Errorf("temporary directory for remote bases: %w", err)
	}
	pre := map[string]bool{}
	for _, e := range entries {
		if cloneDirName.MatchString(e.Name()) {
			pre[e.Name()] = true
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tmp, f.preClones = tmp, pre
	return nil
}

// within reports whether path is dir or below it. Both are clean and absolute.
func within(path, dir string) bool {
	if path == dir {
		return true
	}
	if dir == string(filepath.Separator) {
		return true
	}
	return strings.HasPrefix(path, dir+string(filepath.Separator))
}

// cloneDir returns the clone directory of this build that abs lies in, or "".
func (f *confinedFS) cloneDir(abs string) string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.tmp == "" || abs == f.tmp || !within(abs, f.tmp) {
		return ""
	}
	rest := strings.TrimPrefix(abs, f.tmp+string(filepath.Separator))
	first, _, _ := strings.Cut(rest, string(filepath.Separator))
	if !cloneDirName.MatchString(first) || f.preClones[first] {
		return ""
	}
	return filepath.Join(f.tmp, first)
}

// resolve returns the real path of name: absolute, clean, with the symlinks
// of its existing part resolved. It refuses a path that ends outside the
// root, without reading anything outside it. The part of the path that does
// not exist yet is kept as is; reading it fails, unless the overlay has it.
func (f *confinedFS) resolve(name string) (string, error) {
	abs, err := filepath.Abs(name)
	if err != nil {
		return "", fmt.Errorf("'%s': %w", name, err)
	}
	if f.rec != nil {
		f.rec.path(abs)
	}
	jail := f.root
	if !within(abs, f.root) {
		if jail = f.cloneDir(abs); jail == "" {
			return "", &os.PathError{Op: "refusing to read", Path: abs, Err: errOutsideRoot}
		}
	}
	real, err := resolveExisting(abs, jail)
	if err != nil {
		return "", err
	}
	if !within(real, jail) && !within(real, f.root) {
		return "", &os.PathError{Op: "refusing to read", Path: abs, Err: errOutsideRoot}
	}
	return real, nil
}

// resolveExisting resolves the symlinks of the longest existing prefix of
// abs and appends the rest. A dangling symlink is refused: its target could
// appear between this check and the read. The errors never tell more about
// what lies outside jail than that it is outside.
func resolveExisting(abs, jail string) (string, error) {
	real, err := filepath.EvalSymlinks(abs)
	if err == nil {
		return real, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", &os.PathError{Op: "refusing to read", Path: abs, Err: errUnresolvable}
	}
	if target, lerr := os.Readlink(abs); lerr == nil {
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(abs), target)
		}
		if !within(filepath.Clean(target), jail) {
			return "", &os.PathError{Op: "refusing to read", Path: abs, Err: errOutsideRoot}
		}
		return "", &os.PathError{Op: "refusing to read", Path: abs, Err: errDangling}
	}
	parent := filepath.Dir(abs)
	if parent == abs {
		return abs, nil
	}
	rp, err := resolveExisting(parent, jail)
	if err != nil {
		return "", err
	}
	return filepath.Join(rp, filepath.Base(abs)), nil
}

// inOverlay returns the overlay content of the resolved path real.
func (f *confinedFS) inOverlay(real string) ([]byte, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	data, ok := f.overlay[real]
	return data, ok
}

// ReadFile reads a file from the overlay or, confined, from the disk.
func (f *confinedFS) ReadFile(name string) ([]byte, error) {
	real, err := f.resolve(name)
	if err != nil {
		return nil, err
	}
	if data, ok := f.inOverlay(real); ok {
		return bytes.Clone(data), nil
	}
	return os.ReadFile(real)
}

// WriteFile puts data in the overlay. The file must be inside the root, in
// a directory that exists.
func (f *confinedFS) WriteFile(name string, data []byte) error {
	real, err := f.resolve(name)
	if err != nil {
		return err
	}
	if !within(real, f.root) {
		return &os.PathError{Op: "write", Path: real, Err: errReadOnly}
	}
	if info, err := os.Stat(filepath.Dir(real)); err != nil || !info.IsDir() {
		return &os.PathError{Op: "write", Path: real, Err: fs.ErrNotExist}
	}
	if info, err := os.Stat(real); err == nil && info.IsDir() {
		return &os.PathError{Op: "write", Path: real, Err: errors.New("is a directory")}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.overlay[real] = bytes.Clone(data)
	return nil
}

// Exists reports whether name exists (and may be read).
func (f *confinedFS) Exists(name string) bool {
	real, err := f.resolve(name)
	if err != nil {
		return false
	}
	if _, ok := f.inOverlay(real); ok {
		return true
	}
	_, err = os.Stat(real)
	return err == nil
}

// IsDir reports whether name is a directory (that may be read).
func (f *confinedFS) IsDir(name string) bool {
	real, err := f.resolve(name)
	if err != nil {
		return false
	}
	if _, ok := f.inOverlay(real); ok {
		return false
	}
	info, err := os.Stat(real)
	return err == nil && info.IsDir()
}

// CleanedAbs splits name into its resolved directory and, unless name is a
// directory itself, its file name.
func (f *confinedFS) CleanedAbs(name string) (filesys.ConfirmedDir, string, error) {
	real, err := f.resolve(name)
	if err != nil {
		return "", "", err
	}
	if _, ok := f.inOverlay(real); ok {
		return filesys.ConfirmedDir(filepath.Dir(real)), filepath.Base(real), nil
	}
	info, err := os.Stat(real)
	if err != nil {
		return "", "", err
	}
	if info.IsDir() {
		return filesys.ConfirmedDir(real), "", nil
	}
	return filesys.ConfirmedDir(filepath.Dir(real)), filepath.Base(real), nil
}

// ReadDir lists the names in a directory, overlay files included, sorted.
func (f *confinedFS) ReadDir(name string) ([]string, error) {
	real, err := f.resolve(name)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(real)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	f.mu.RLock()
	for p := range f.overlay {
		if filepath.Dir(p) == real {
			names = append(names, filepath.Base(p))
		}
	}
	f.mu.RUnlock()
	slices.Sort(names)
	return slices.Compact(names), nil
}

// Open opens a file for reading.
func (f *confinedFS) Open(name string) (filesys.File, error) {
	real, err := f.resolve(name)
	if err != nil {
		return nil, err
	}
	if data, ok := f.inOverlay(real); ok {
		return &memFile{name: filepath.Base(real), Reader: bytes.NewReader(bytes.Clone(data)), size: int64(len(data))}, nil
	}
	return os.Open(real)
}

// Glob returns the files matching pattern that may be read, overlay files
// included, without hidden files unless the pattern asks for them (as
// kustomize's own disk file system does).
func (f *confinedFS) Glob(pattern string) ([]string, error) {
	if f.rec != nil {
		if abs, err := filepath.Abs(pattern); err == nil {
			f.rec.glob(abs)
		} else {
			f.rec.beyond()
		}
	}
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range matches {
		if _, err := f.resolve(m); err == nil {
			out = append(out, m)
		}
	}
	f.mu.RLock()
	for p := range f.overlay {
		if ok, _ := filepath.Match(pattern, p); ok {
			out = append(out, p)
		}
	}
	f.mu.RUnlock()
	if !filesys.IsHiddenFilePath(pattern) {
		out = filesys.RemoveHiddenFiles(out)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Walk walks the disk tree at name without following symlinks, as
// filepath.Walk does; reads of what it reports go through the confinement
// again. Overlay files are not reported (kustomize builds do not walk).
func (f *confinedFS) Walk(name string, walkFn filepath.WalkFunc) error {
	real, err := f.resolve(name)
	if err != nil {
		return err
	}
	if f.rec != nil {
		f.rec.beyond() // what a walk saw is not recorded
	}
	return filepath.Walk(real, walkFn)
}

// RemoveAll only removes kustomize's own clones of remote bases, which its
// loader cleans up through the file system, and overlay files.
func (f *confinedFS) RemoveAll(name string) error {
	abs, err := filepath.Abs(name)
	if err != nil {
		return err
	}
	if dir := f.cloneDir(abs); dir != "" && dir == abs {
		return os.RemoveAll(abs)
	}
	if real, err := f.resolve(abs); err == nil {
		f.mu.Lock()
		_, ok := f.overlay[real]
		delete(f.overlay, real)
		f.mu.Unlock()
		if ok {
			return nil
		}
	}
	return &os.PathError{Op: "remove", Path: abs, Err: errReadOnly}
}

// Create is refused: the source is read-only.
func (f *confinedFS) Create(name string) (filesys.File, error) {
	return nil, &os.PathError{Op: "create", Path: name, Err: errReadOnly}
}

// Mkdir is refused: the source is read-only.
func (f *confinedFS) Mkdir(name string) error {
	return &os.PathError{Op: "mkdir", Path: name, Err: errReadOnly}
}

// MkdirAll is refused: the source is read-only.
func (f *confinedFS) MkdirAll(name string) error {
	return &os.PathError{Op: "mkdir", Path: name, Err: errReadOnly}
}

// memFile is an overlay file opened for reading.
type memFile struct {
	*bytes.Reader
	name string
	size int64
}

func (m *memFile) Write([]byte) (int, error) { return 0, errReadOnly }
func (m *memFile) Close() error              { return nil }
func (m *memFile) Stat() (os.FileInfo, error) {
	return memFileInfo{name: m.name, size: m.size}, nil
}

// memFileInfo describes a memFile.
type memFileInfo struct {
	name string
	size int64
}

func (i memFileInfo) Name() string       { return i.name }
func (i memFileInfo) Size() int64        { return i.size }
func (i memFileInfo) Mode() fs.FileMode  { return 0o444 }
func (i memFileInfo) ModTime() time.Time { return time.Time{} }
func (i memFileInfo) IsDir() bool        { return false }
func (i memFileInfo) Sys() any           { return nil }

var _ io.ReadWriteCloser = (*memFile)(nil)
