package gitclient

import (
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// TreeFS is a commit's tree read straight from Git's object store, as a
// read-only file system. Archiving from it instead of a checked-out worktree
// saves writing, and then reading back, every file of the repository: on a
// repository of 10,000 files that is most of the time (see the benchmarks).
// Submodules (gitlinks) are left out, as they would be from a worktree
// checked out without recursion. Unlike most file systems, Open does not
// follow symlinks, it refuses them: callers resolve links with Lstat and
// ReadLink (as sourcetree does, inside the tree only), so no link can lead a
// reader anywhere the caller did not decide to go.
type TreeFS struct {
	root   *object.Tree
	closer io.Closer // the object store the tree is read from

	// dirs holds every directory decoded so far, by path. Archiving reads
	// each file once, but each read names a path whose directories would
	// otherwise be found and decoded again from the root: 10,000 files
	// meant 10,000 decodes of the same few trees.
	mu   sync.Mutex
	dirs map[string]*object.Tree
}

func newTreeFS(root *object.Tree, closer io.Closer) *TreeFS {
	return &TreeFS{root: root, closer: closer, dirs: map[string]*object.Tree{".": root}}
}

// Close releases the object store; the TreeFS must not be used after.
func (t *TreeFS) Close() error {
	if t == nil || t.closer == nil {
		return nil
	}
	return t.closer.Close()
}

var (
	_ fs.ReadDirFS  = (*TreeFS)(nil)
	_ fs.ReadLinkFS = (*TreeFS)(nil)
	_ fs.StatFS     = (*TreeFS)(nil)
)

// Open opens a file or directory of the tree.
func (t *TreeFS) Open(name string) (fs.File, error) {
	node, err := t.lookup("open", name)
	if err != nil {
		return nil, err
	}
	if node.dir != nil {
		return &treeDir{fs: t, path: name, info: node.info()}, nil
	}
	if node.entry.Mode == filemode.Symlink {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("is a symlink: use ReadLink")}
	}
	r, err := node.blob.Reader()
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &treeFile{ReadCloser: r, info: node.info()}, nil
}

// ReadDir lists a directory of the tree, sorted by name.
func (t *TreeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	node, err := t.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if node.dir == nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	var out []fs.DirEntry
	for _, e := range node.dir.Entries {
		if e.Mode == filemode.Submodule {
			continue
		}
		mode, err := e.Mode.ToOSFileMode()
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
		}
		out = append(out, treeDirEntry{fs: t, path: path.Join(name, e.Name), name: e.Name, mode: mode})
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// Stat describes a file, following no symlink (Git stores links as links).
func (t *TreeFS) Stat(name string) (fs.FileInfo, error) { return t.Lstat(name) }

// Lstat describes a file without following a symlink.
func (t *TreeFS) Lstat(name string) (fs.FileInfo, error) {
	node, err := t.lookup("lstat", name)
	if err != nil {
		return nil, err
	}
	return node.info(), nil
}

// ReadLink returns a symlink's target.
func (t *TreeFS) ReadLink(name string) (string, error) {
	node, err := t.lookup("readlink", name)
	if err != nil {
		return "", err
	}
	if node.entry.Mode != filemode.Symlink {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: errors.New("not a symlink")}
	}
	r, err := node.blob.Reader()
	if err != nil {
		return "", err
	}
	defer r.Close()
	target, err := io.ReadAll(io.LimitReader(r, 4096))
	return string(target), err
}

// treeNode is one resolved path: a directory (dir set) or a blob.
type treeNode struct {
	name  string
	entry object.TreeEntry
	dir   *object.Tree
	blob  *object.Blob
}

func (t *TreeFS) lookup(op, name string) (*treeNode, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return &treeNode{name: ".", dir: t.root, entry: object.TreeEntry{Mode: filemode.Dir}}, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	parent, err := t.dir(path.Dir(name))
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	entry, err := parent.FindEntry(path.Base(name))
	if err != nil || entry.Mode == filemode.Submodule {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	node := &treeNode{name: entry.Name, entry: *entry}
	if entry.Mode == filemode.Dir {
		node.dir, err = t.dir(name)
	} else {
		var f *object.File
		if f, err = parent.TreeEntryFile(entry); err == nil {
			node.blob = &f.Blob
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return node, nil
}

// dir returns the directory at p, decoding it (and its parents) only the
// first time. Callers hold t.mu.
func (t *TreeFS) dir(p string) (*object.Tree, error) {
	if d, ok := t.dirs[p]; ok {
		return d, nil
	}
	parent, err := t.dir(path.Dir(p))
	if err != nil {
		return nil, err
	}
	d, err := parent.Tree(path.Base(p))
	if errors.Is(err, object.ErrDirectoryNotFound) {
		return nil, fs.ErrNotExist // nothing there, or a file where a directory was named
	}
	if err != nil {
		return nil, err // the object store failed: not the same as a missing path
	}
	t.dirs[p] = d
	return d, nil
}

func (n *treeNode) info() fs.FileInfo {
	mode, _ := n.entry.Mode.ToOSFileMode()
	var size int64
	if n.blob != nil {
		size = n.blob.Size
	}
	return treeInfo{name: n.name, mode: mode, size: size}
}

type treeInfo struct {
	name string
	mode fs.FileMode
	size int64
}

func (i treeInfo) Name() string       { return i.name }
func (i treeInfo) Size() int64        { return i.size }
func (i treeInfo) Mode() fs.FileMode  { return i.mode }
func (i treeInfo) ModTime() time.Time { return time.Time{} }
func (i treeInfo) IsDir() bool        { return i.mode.IsDir() }
func (i treeInfo) Sys() any           { return nil }

type treeFile struct {
	io.ReadCloser
	info fs.FileInfo
}

func (f *treeFile) Stat() (fs.FileInfo, error) { return f.info, nil }

// treeDir is an open directory; its entries are listed on the first ReadDir.
type treeDir struct {
	fs      *TreeFS
	path    string
	info    fs.FileInfo
	entries []fs.DirEntry
	listed  bool
}

func (d *treeDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.listed {
		entries, err := d.fs.ReadDir(d.path)
		if err != nil {
			return nil, err
		}
		d.entries, d.listed = entries, true
	}
	if n <= 0 {
		out := d.entries
		d.entries = nil
		return out, nil
	}
	if len(d.entries) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(d.entries))
	out := d.entries[:n]
	d.entries = d.entries[n:]
	return out, nil
}

func (d *treeDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *treeDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.Name(), Err: errors.New("is a directory")}
}
func (d *treeDir) Close() error { return nil }

// treeDirEntry is listed from the tree entry alone; the blob is only read
// (for its size) if Info is called.
type treeDirEntry struct {
	fs   *TreeFS
	path string
	name string
	mode fs.FileMode
}

func (e treeDirEntry) Name() string               { return e.name }
func (e treeDirEntry) IsDir() bool                { return e.mode.IsDir() }
func (e treeDirEntry) Type() fs.FileMode          { return e.mode.Type() }
func (e treeDirEntry) Info() (fs.FileInfo, error) { return e.fs.Lstat(e.path) }
