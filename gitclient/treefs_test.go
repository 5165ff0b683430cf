package gitclient

import (
	"context"
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/tidegitops/tide/testkit"
)

// A commit fetched without a worktree reads like the checked-out tree:
// same files and contents, symlinks as links, directories listable.
func TestCheckoutNoWorktree(t *testing.T) {
	srv := testkit.StartGitServer(t)
	repo := srv.NewRepo(t, "tree")
	repo.WriteFiles(map[string]string{"apps/a.yaml": "a\n", "apps/b/c.yaml": "c\n", "README.md": "hi\n"})
	repo.Symlink("a.yaml", "apps/link.yaml").Symlink("../../../etc/passwd", "apps/escape")
	repo.Commit("tree")
	auth, err := AuthFromSecret(srv.HTTPURL("tree"), nil)
	if err != nil {
		t.Fatal(err)
	}
	commit, err := Checkout(context.Background(), srv.HTTPURL("tree"), auth, Ref{Branch: "master"}, t.TempDir(),
		CheckoutOptions{NoWorktree: true})
	if err != nil {
		t.Fatal(err)
	}
	defer commit.Files.Close()

	// Directories are decoded once and kept: a path through a file or a
	// missing directory is not found, whether or not its parent was read.
	notFound := []string{"apps/a.yaml/x", "nothing/x", "apps/b/nothing", "apps/b/c.yaml/x"}
	assertNotFound := func() {
		t.Helper()
		for _, name := range notFound {
			if _, err := commit.Files.Open(name); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Open(%s) = %v; want not found", name, err)
			}
		}
	}
	assertNotFound()
	defer assertNotFound()

	// Open refuses symlinks (see TreeFS), so run the conformance test on a
	// folder without any.
	sub, err := fs.Sub(commit.Files, "apps/b")
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(sub, "c.yaml"); err != nil {
		t.Fatal(err)
	}
	if _, err := commit.Files.Open("apps/escape"); err == nil {
		t.Error("Open followed a symlink that leaves the tree")
	}
	for name, want := range map[string]string{"apps/a.yaml": "a\n", "apps/b/c.yaml": "c\n"} {
		got, err := fs.ReadFile(commit.Files, name)
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
	for link, want := range map[string]string{"apps/link.yaml": "a.yaml", "apps/escape": "../../../etc/passwd"} {
		info, err := commit.Files.Lstat(link)
		if err != nil || info.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s: %v, %v; want a symlink", link, info, err)
		}
		if got, err := commit.Files.ReadLink(link); got != want || err != nil {
			t.Errorf("ReadLink(%s) = %q, %v; want %q", link, got, err, want)
		}
	}
	if _, err := commit.Files.Open("../outside"); err == nil {
		t.Error("opened a path outside the tree")
	}
	if _, err := Checkout(context.Background(), srv.HTTPURL("tree"), auth, Ref{Branch: "master"}, t.TempDir(),
		CheckoutOptions{NoWorktree: true, SparseCheckout: []string{"apps"}}); err == nil {
		t.Error("NoWorktree with a sparse checkout was accepted")
	}
}
