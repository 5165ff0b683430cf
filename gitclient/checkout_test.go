package gitclient

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tidegitops/tide/testkit"
)

func TestCheckout(t *testing.T) {
	h := newHistory(t)
	tests := []struct {
		name    string
		ref     Ref
		rev     string
		readme  string
		commits int    // commit objects in the clone; 0: don't check
		tag     string // annotated tag expected in Commit.Tag
	}{
		{name: "default branch, shallow", ref: Ref{}, rev: "master@sha1:" + h.c3, readme: "three\n", commits: 1},
		{name: "branch, shallow", ref: Ref{Branch: "dev"}, rev: "dev@sha1:" + h.c4, readme: "dev\n", commits: 1},
		{name: "lightweight tag", ref: Ref{Tag: "v1.0.0"}, rev: "v1.0.0@sha1:" + h.c1, readme: "one\n", commits: 1},
		{name: "annotated tag", ref: Ref{Tag: "v1.2.0"}, rev: "v1.2.0@sha1:" + h.c2, readme: "two\n", commits: 1, tag: "v1.2.0"},
		{name: "semver", ref: Ref{SemVer: ">=1.0.0 <2.0.0"}, rev: "v1.2.0@sha1:" + h.c2, readme: "two\n", commits: 1, tag: "v1.2.0"},
		{name: "name of a pull request", ref: Ref{Name: "refs/pull/1/head"}, rev: "refs/pull/1/head@sha1:" + h.c4, readme: "dev\n", commits: 1},
		{name: "name of a branch", ref: Ref{Name: "refs/heads/master"}, rev: "refs/heads/master@sha1:" + h.c3, readme: "three\n", commits: 1},
		{name: "name of an annotated tag", ref: Ref{Name: "refs/tags/v1.2.0"}, rev: "refs/tags/v1.2.0@sha1:" + h.c2, readme: "two\n", commits: 1, tag: "v1.2.0"},
		{name: "old commit on its branch", ref: Ref{Branch: "master", Commit: h.c1}, rev: "master@sha1:" + h.c1, readme: "one\n"},
		{name: "commit only on a side branch", ref: Ref{Commit: h.c4}, rev: "sha1:" + h.c4, readme: "dev\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			c, err := Checkout(context.Background(), h.url, nil, tt.ref, dir, CheckoutOptions{})
			if err != nil {
				t.Fatalf("Checkout: %v", err)
			}
			if c.Revision != tt.rev || !strings.HasSuffix(tt.rev, c.Hash) {
				t.Errorf("revision = %q (hash %s), want %q", c.Revision, c.Hash, tt.rev)
			}
			if got := readTree(t, dir)["README.md"]; got != tt.readme {
				t.Errorf("README.md = %q, want %q", got, tt.readme)
			}
			if tt.commits > 0 {
				if n := commitCount(t, dir); n != tt.commits {
					t.Errorf("clone holds %d commits, want %d (shallow)", n, tt.commits)
				}
			}
			switch {
			case tt.tag == "" && c.Tag != nil:
				t.Errorf("Tag = %+v, want none", c.Tag)
			case tt.tag != "" && (c.Tag == nil || c.Tag.Name != tt.tag || c.Tag.Message == ""):
				t.Errorf("Tag = %+v, want annotated tag %s", c.Tag, tt.tag)
			}
			if c.Subject() == "" || c.Author.Name == "" || len(c.Payload) == 0 {
				t.Errorf("commit details missing: %+v", c)
			}
		})
	}
}

func TestCheckoutNotFound(t *testing.T) {
	h := newHistory(t)
	missing := strings.Repeat("ab", 20)
	tests := []struct {
		name string
		ref  Ref
		want string
	}{
		{"unknown branch", Ref{Branch: "nope"}, "branch 'nope' not found in '" + h.url + "'"},
		{"unknown tag", Ref{Tag: "v9"}, "tag 'v9' not found"},
		{"unknown name", Ref{Name: "refs/pull/9/head"}, "ref 'refs/pull/9/head' not found"},
		{"semver without match", Ref{SemVer: ">=9"}, "semver range '>=9'"},
		{"unknown commit", Ref{Commit: missing}, "commit '" + missing + "' not found"},
		{"commit not on branch", Ref{Branch: "master", Commit: h.c4}, "commit '" + h.c4 + "' on branch 'master' not found"},
		{"commit on unknown branch", Ref{Branch: "nope", Commit: h.c1}, "on branch 'nope' not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Checkout(context.Background(), h.url, nil, tt.ref, t.TempDir(), CheckoutOptions{})
			if !errors.Is(err, ErrRefNotFound) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want ErrRefNotFound containing %q", err, tt.want)
			}
		})
	}
}

func TestCheckoutSparse(t *testing.T) {
	h := newHistory(t)
	tests := []struct {
		name   string
		sparse []string
		want   []string
	}{
		{"one directory", []string{"apps"}, []string{"apps/app.yaml"}},
		{"two directories, written loosely", []string{"./apps/", "/infra"}, []string{"apps/app.yaml", "infra/db.yaml"}},
		{"root means everything", []string{"."}, []string{"README.md", "apps/app.yaml", "apps2/other.yaml", "infra/db.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := Checkout(context.Background(), h.url, nil, Ref{Tag: "v1.2.0"}, dir,
				CheckoutOptions{SparseCheckout: tt.sparse}); err != nil {
				t.Fatal(err)
			}
			files := readTree(t, dir)
			if len(files) != len(tt.want) {
				t.Errorf("files = %v, want %v", keys(files), tt.want)
			}
			for _, f := range tt.want {
				if _, ok := files[f]; !ok {
					t.Errorf("%s missing; files = %v", f, keys(files))
				}
			}
		})
	}
	_, err := Checkout(context.Background(), h.url, nil, Ref{}, t.TempDir(), CheckoutOptions{SparseCheckout: []string{"../x"}})
	if err == nil || !strings.Contains(err.Error(), "'..'") {
		t.Errorf("sparse '../x': error = %v, want a refusal", err)
	}
}

func TestCheckoutSubmodules(t *testing.T) {
	srv := testkit.StartGitServer(t)
	lib := srv.NewRepo(t, "lib")
	libCommit := lib.Write("lib.txt", "pinned\n").Commit("lib one")
	lib.Write("lib.txt", "newer\n").Commit("lib two") // the pinned commit is not the tip
	srv.NewRepo(t, "main").Write("main.txt", "main\n").Commit("main one")

	w := testkit.CloneWork(t, srv.HTTPURL("main"))
	w.AddSubmodule("lib", "vendor/lib", srv.HTTPURL("lib"), libCommit)
	w.Commit("add submodule", nil, nil)
	w.Push()

	for _, recurse := range []bool{true, false} {
		dir := t.TempDir()
		if _, err := Checkout(context.Background(), srv.HTTPURL("main"), nil, Ref{}, dir,
			CheckoutOptions{RecurseSubmodules: recurse}); err != nil {
			t.Fatalf("recurse=%v: %v", recurse, err)
		}
		got, ok := readTree(t, dir)["vendor/lib/lib.txt"]
		switch {
		case recurse && got != "pinned\n":
			t.Errorf("submodule file = %q (present %v), want the pinned commit's content", got, ok)
		case !recurse && ok:
			t.Errorf("submodule checked out without RecurseSubmodules")
		}
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
