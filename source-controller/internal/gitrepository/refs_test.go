package gitrepository

import (
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

func TestReconcileRefs(t *testing.T) {
	srv := testkit.StartGitServer(t)
	repo := srv.NewRepo(t, "refs")
	v1 := repo.Write("app/config.yaml", "version: 1\n").Commit("v1")
	repo.Tag("v1.0.0")
	v11 := repo.Write("app/config.yaml", "version: 1.1\n").Commit("v1.1")
	repo.AnnotatedTag("v1.1.0", "release 1.1.0")
	repo.Branch("dev")
	dev := repo.Write("app/config.yaml", "version: dev\n").Commit("dev work")
	repo.Tag("v2.0.0-rc.1")

	ns := testkit.NewNamespace(t, env.CP.Client)
	tests := []struct {
		name         string
		ref          *sourcev1.GitRepositoryRef
		wantRevision string
		wantContent  string
	}{
		{"no ref: master", nil, "master@sha1:" + v11, "version: 1.1\n"},
		{"branch", &sourcev1.GitRepositoryRef{Branch: "dev"}, "dev@sha1:" + dev, "version: dev\n"},
		{"lightweight tag", &sourcev1.GitRepositoryRef{Tag: "v1.0.0"}, "v1.0.0@sha1:" + v1, "version: 1\n"},
		{"annotated tag", &sourcev1.GitRepositoryRef{Tag: "v1.1.0"}, "v1.1.0@sha1:" + v11, "version: 1.1\n"},
		{"semver range", &sourcev1.GitRepositoryRef{SemVer: ">=1.0.0 <2.0.0"}, "v1.1.0@sha1:" + v11, "version: 1.1\n"},
		{"semver wins over tag", &sourcev1.GitRepositoryRef{SemVer: "1.0.x", Tag: "v1.1.0"}, "v1.0.0@sha1:" + v1, "version: 1\n"},
		{"name", &sourcev1.GitRepositoryRef{Name: "refs/heads/dev"}, "refs/heads/dev@sha1:" + dev, "version: dev\n"},
		{"commit alone", &sourcev1.GitRepositoryRef{Commit: v1}, "sha1:" + v1, "version: 1\n"},
		{"commit on a branch", &sourcev1.GitRepositoryRef{Branch: "master", Commit: v1}, "master@sha1:" + v1, "version: 1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := newGitRepository(ns, srv.HTTPURL("refs"), func(o *sourcev1.GitRepository) { o.Spec.Reference = tt.ref })
			create(t, obj)
			waitReady(t, obj)

			a := obj.Status.Artifact
			if a.Revision != tt.wantRevision {
				t.Errorf("revision = %q, want %q", a.Revision, tt.wantRevision)
			}
			if got := tarFiles(t, download(t, a))["app/config.yaml"]; got != tt.wantContent {
				t.Errorf("app/config.yaml in artifact = %q, want %q", got, tt.wantContent)
			}
			if msg := conditions.GetMessage(obj, meta.ReadyCondition); msg != "stored artifact for revision '"+tt.wantRevision+"'" {
				t.Errorf("Ready message = %q", msg)
			}
			if !conditions.IsTrue(obj, sourcev1.ArtifactInStorageCondition) {
				t.Errorf("ArtifactInStorage is not True: %+v", obj.Status.Conditions)
			}
		})
	}
}
