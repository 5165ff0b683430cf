package sourcetree

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// tree builds a checkout: files (path -> content) and links (path -> target).
func tree(t *testing.T, files, links map[string]string) fs.ReadLinkFS {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for p, target := range links {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root.FS().(fs.ReadLinkFS)
}

// walk lists the entries as "path <- source", directories with a '/'.
func walk(t *testing.T, root fs.ReadLinkFS, skip string) []string {
	t.Helper()
	var got []string
	err := Walk(root, func(e Entry) error {
		s := e.Path + " <- " + e.Source
		if e.IsDir {
			s += "/"
		}
		got = append(got, s)
		if e.Path == skip {
			return fs.SkipDir
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// Links inside the tree stand for what they point to, a linked directory
// as a copy; links that leave the tree, dangle, loop, reach into .git or
// would contain themselves are left out.
func TestWalkLinks(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(outside, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	root := tree(t, map[string]string{
		"a/app.yaml":  "app",
		"b/x.yaml":    "x",
		"m1/one.yaml": "1",
		"m2/two.yaml": "2",
		".git/config": "[core]",
		"sub/.git":    "gitdir: ../.git/modules/sub",
	}, map[string]string{
		"file":     "a/app.yaml",
		"chain":    "file",
		"dir":      "a",
		"b/to-a":   "../a",
		"a/up":     "..",
		"a/self":   ".",
		"a/escape": "../../secret",
		"m1/l":     "../m2",
		"m2/l":     "../m1",
		"root":     ".",
		"abs":      outside,
		"dangling": "nothing",
		"git":      ".git",
		"git-cfg":  ".git/config",
		"sub-git":  "sub/.git",
		"loop1":    "loop2",
		"loop2":    "loop1",
		"via-dir":  "dir/app.yaml",
	})
	want := []string{
		"a <- a/",
		"a/app.yaml <- a/app.yaml",
		"b <- b/",
		"b/to-a <- a/",
		"b/to-a/app.yaml <- a/app.yaml",
		"b/x.yaml <- b/x.yaml",
		"chain <- a/app.yaml",
		"dir <- a/",
		"dir/app.yaml <- a/app.yaml",
		"file <- a/app.yaml",
		"m1 <- m1/",
		"m1/l <- m2/",
		"m1/l/two.yaml <- m2/two.yaml", // m2/l leads back to m1, which holds it
		"m1/one.yaml <- m1/one.yaml",
		"m2 <- m2/",
		"m2/l <- m1/",
		"m2/l/one.yaml <- m1/one.yaml",
		"m2/two.yaml <- m2/two.yaml",
		"sub <- sub/",
		"via-dir <- a/app.yaml",
	}
	if got := walk(t, root, ""); !slices.Equal(got, want) {
		t.Errorf("walk:\n got %q\nwant %q", got, want)
	}

	// SkipDir on a linked directory skips its copy, not the original.
	got := walk(t, root, "dir")
	if !slices.Contains(got, "a/app.yaml <- a/app.yaml") || slices.Contains(got, "dir/app.yaml <- a/app.yaml") {
		t.Errorf("SkipDir on dir: %q", got)
	}
}

// A directory that cannot be read stops the walk with its error.
func TestWalkError(t *testing.T) {
	root := tree(t, map[string]string{"a/x": "x"}, nil)
	err := Walk(failingFS{root}, func(Entry) error { return nil })
	if err == nil {
		t.Fatal("no error from an unreadable directory")
	}
}

type failingFS struct{ fs.ReadLinkFS }

func (f failingFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == "a" {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrPermission}
	}
	return fs.ReadDir(f.ReadLinkFS, name)
}
