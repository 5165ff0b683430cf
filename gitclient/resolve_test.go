package gitclient

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tidegitops/tide/testkit"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// The API's ref converts to Ref directly.
var _ = Ref(sourcev1.GitRepositoryRef{})

// history is the repository most ref tests share:
//
//	master: c1 (v1.0.0) - c2 (v1.2.0 annotated, 1.1.0) - c3 (v2.0.0-rc.1 annotated, not-a-version)
//	dev:    from c2 - c4;  refs/pull/1/head -> c4
type history struct {
	srv            *testkit.GitServer
	url            string
	c1, c2, c3, c4 string
}

func newHistory(t *testing.T) history {
	t.Helper()
	srv := testkit.StartGitServer(t)
	r := srv.NewRepo(t, "app")
	h := history{srv: srv, url: srv.HTTPURL("app")}
	h.c1 = r.Write("README.md", "one\n").Write("apps/app.yaml", "v: 1\n").Commit("one")
	r.Tag("v1.0.0")
	h.c2 = r.Write("README.md", "two\n").Write("apps2/other.yaml", "x\n").Write("infra/db.yaml", "db\n").Commit("two")
	r.AnnotatedTag("v1.2.0", "release 1.2.0").Tag("1.1.0")
	r.Branch("dev")
	h.c4 = r.Write("README.md", "dev\n").Commit("four")
	r.Checkout("master")
	h.c3 = r.Write("README.md", "three\n").Commit("three")
	r.AnnotatedTag("v2.0.0-rc.1", "rc").Tag("not-a-version")
	w := testkit.CloneWork(t, h.url)
	w.SetRef("refs/heads/pr", h.c4)
	w.Push("refs/heads/pr:refs/pull/1/head")
	return h
}

func TestResolve(t *testing.T) {
	h := newHistory(t)
	tests := []struct {
		name    string
		ref     Ref
		rev     string
		refName string
		remote  bool // whether the remote is asked
		wantErr string
	}{
		{name: "empty ref is master", ref: Ref{}, rev: "master@sha1:" + h.c3, refName: "refs/heads/master", remote: true},
		{name: "branch", ref: Ref{Branch: "dev"}, rev: "dev@sha1:" + h.c4, refName: "refs/heads/dev", remote: true},
		{name: "lightweight tag", ref: Ref{Tag: "v1.0.0"}, rev: "v1.0.0@sha1:" + h.c1, refName: "refs/tags/v1.0.0", remote: true},
		{name: "annotated tag is peeled", ref: Ref{Tag: "v1.2.0"}, rev: "v1.2.0@sha1:" + h.c2, refName: "refs/tags/v1.2.0", remote: true},
		{name: "semver picks highest, skipping prerelease", ref: Ref{SemVer: ">=1.0.0 <2.0.0"}, rev: "v1.2.0@sha1:" + h.c2, refName: "refs/tags/v1.2.0", remote: true},
		{name: "semver tag without v", ref: Ref{SemVer: "~1.1"}, rev: "1.1.0@sha1:" + h.c2, refName: "refs/tags/1.1.0", remote: true},
		{name: "semver prerelease range", ref: Ref{SemVer: ">=2.0.0-0"}, rev: "v2.0.0-rc.1@sha1:" + h.c3, refName: "refs/tags/v2.0.0-rc.1", remote: true},
		{name: "name of a pull request", ref: Ref{Name: "refs/pull/1/head"}, rev: "refs/pull/1/head@sha1:" + h.c4, refName: "refs/pull/1/head", remote: true},
		{name: "name of a branch", ref: Ref{Name: "refs/heads/dev"}, rev: "refs/heads/dev@sha1:" + h.c4, refName: "refs/heads/dev", remote: true},
		{name: "name of an annotated tag", ref: Ref{Name: "refs/tags/v1.2.0"}, rev: "refs/tags/v1.2.0@sha1:" + h.c2, refName: "refs/tags/v1.2.0", remote: true},
		{name: "commit alone asks nothing", ref: Ref{Commit: h.c1}, rev: "sha1:" + h.c1},
		{name: "commit upper case", ref: Ref{Commit: strings.ToUpper(h.c1)}, rev: "sha1:" + h.c1},
		{name: "commit with branch", ref: Ref{Branch: "dev", Commit: h.c1}, rev: "dev@sha1:" + h.c1, refName: "refs/heads/dev", remote: true},
		{name: "commit wins over all", ref: Ref{Branch: "dev", Tag: "v1.0.0", SemVer: "*", Name: "refs/heads/dev", Commit: h.c2}, rev: "dev@sha1:" + h.c2, refName: "refs/heads/dev", remote: true},
		{name: "name wins over semver, tag, branch", ref: Ref{Branch: "dev", Tag: "v1.0.0", SemVer: "*", Name: "refs/tags/v1.0.0"}, rev: "refs/tags/v1.0.0@sha1:" + h.c1, refName: "refs/tags/v1.0.0", remote: true},
		{name: "semver wins over tag, branch", ref: Ref{Branch: "dev", Tag: "v1.0.0", SemVer: "<1.1.0"}, rev: "v1.0.0@sha1:" + h.c1, refName: "refs/tags/v1.0.0", remote: true},
		{name: "tag wins over branch", ref: Ref{Branch: "dev", Tag: "v1.0.0"}, rev: "v1.0.0@sha1:" + h.c1, refName: "refs/tags/v1.0.0", remote: true},
		{name: "unknown branch", ref: Ref{Branch: "nope"}, remote: true, wantErr: "branch 'nope' not found in '" + h.url + "'"},
		{name: "unknown tag", ref: Ref{Tag: "v9"}, remote: true, wantErr: "tag 'v9' not found"},
		{name: "unknown name", ref: Ref{Name: "refs/pull/2/head"}, remote: true, wantErr: "ref 'refs/pull/2/head' not found"},
		{name: "semver without match", ref: Ref{SemVer: ">=5.0.0"}, remote: true, wantErr: "matches semver range '>=5.0.0'"},
		{name: "invalid semver", ref: Ref{SemVer: "not a range"}, remote: true, wantErr: "semver range 'not a range' is not valid"},
		{name: "commit on unknown branch", ref: Ref{Branch: "nope", Commit: h.c1}, remote: true, wantErr: "commit '" + h.c1 + "' on branch 'nope' not found"},
		{name: "short commit", ref: Ref{Commit: h.c1[:7]}, wantErr: "not a full 40-character SHA-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			adverts, packs := h.srv.RefAdvertisements(), h.srv.UploadPacks()
			got, err := Resolve(context.Background(), h.url, nil, tt.ref)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrRefNotFound) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want ErrRefNotFound containing %q", err, tt.wantErr)
				}
			} else {
				if err != nil {
					t.Fatalf("Resolve: %v", err)
				}
				hash := tt.rev[strings.Index(tt.rev, "sha1:")+5:]
				want := Resolved{Revision: tt.rev, Hash: hash, RefName: tt.refName}
				if got != want {
					t.Errorf("Resolve = %+v, want %+v", got, want)
				}
			}
			wantAdverts := int64(0)
			if tt.remote {
				wantAdverts = 1
			}
			if d := h.srv.RefAdvertisements() - adverts; d != wantAdverts {
				t.Errorf("ref advertisements = %d, want %d", d, wantAdverts)
			}
			if d := h.srv.UploadPacks() - packs; d != 0 {
				t.Errorf("upload-packs = %d, want 0 (Resolve must not fetch)", d)
			}
		})
	}
}

func TestResolveUnknownRepository(t *testing.T) {
	srv := testkit.StartGitServer(t)
	srv.NewRepo(t, "empty")
	tests := []struct {
		repo string
		want error
		msg  string
	}{
		{"missing", ErrRepositoryNotFound, "check the URL"},
		{"empty", ErrRefNotFound, "the repository has no commits"},
	}
	for _, tt := range tests {
		_, err := Resolve(context.Background(), srv.HTTPURL(tt.repo), nil, Ref{})
		if !errors.Is(err, tt.want) || !errors.Is(err, ErrRefNotFound) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: error = %v, want %v with %q", tt.repo, err, tt.want, tt.msg)
		}
	}
}
