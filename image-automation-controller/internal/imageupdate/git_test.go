package imageupdate

import (
	"testing"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/tidegitops/tide/testkit"
)

// remoteHead reads a branch's tip from the Git server's bare repository;
// nil when the branch does not exist.
func remoteHead(t testing.TB, srv *testkit.GitServer, repo, branch string) *object.Commit {
	t.Helper()
	r, err := gogit.PlainOpen(srv.RepoDir(repo))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := r.Reference(plumbing.NewBranchReferenceName(branch), true)
	if err != nil {
		return nil
	}
	c, err := r.CommitObject(ref.Hash())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fileAt is a file's content in a commit.
func fileAt(t *testing.T, c *object.Commit, name string) string {
	t.Helper()
	f, err := c.File(name)
	if err != nil {
		t.Fatalf("%s in %s: %v", name, c.Hash, err)
	}
	s, err := f.Contents()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// commitCount counts the commits reachable from a branch.
func commitCount(t *testing.T, srv *testkit.GitServer, repo, branch string) int {
	t.Helper()
	c := remoteHead(t, srv, repo, branch)
	n := 0
	for c != nil {
		n++
		if c.NumParents() == 0 {
			break
		}
		p, err := c.Parent(0)
		if err != nil {
			t.Fatal(err)
		}
		c = p
	}
	return n
}
