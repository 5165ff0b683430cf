package gitrepository

import (
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// An unchanged remote head costs one ref advertisement and no clone; a new
// commit is fetched, stored and served, and the old artifact collected.
func TestReconcileClonesOnlyOnChange(t *testing.T) {
	srv := testkit.StartGitServer(t)
	repo := srv.NewRepo(t, "steady")
	repo.Write("a.yaml", "a: 1\n").Commit("first")
	ns := testkit.NewNamespace(t, env.CP.Client)
	obj := newGitRepository(ns, srv.HTTPURL("steady"))
	create(t, obj)
	waitReady(t, obj)
	first := *obj.Status.Artifact
	adverts, packs := srv.RefAdvertisements(), srv.UploadPacks()

	for range 3 {
		requestReconcile(t, obj)
	}
	if got := srv.UploadPacks() - packs; got != 0 {
		t.Errorf("%d upload-pack requests for an unchanged head, want 0 (no clone)", got)
	}
	if got := srv.RefAdvertisements() - adverts; got != 3 {
		t.Errorf("%d ref advertisements for 3 reconciliations, want 3", got)
	}
	if !sameArtifact(obj.Status.Artifact, &first) {
		t.Errorf("artifact changed without a new commit: %+v -> %+v", first, *obj.Status.Artifact)
	}

	second := repo.Write("a.yaml", "a: 2\n").Commit("second")
	requestReconcile(t, obj)
	if obj.Status.Artifact.Revision != "master@sha1:"+second {
		t.Fatalf("revision after a push = %q, want master@sha1:%s", obj.Status.Artifact.Revision, second)
	}
	if got := tarFiles(t, download(t, obj.Status.Artifact))["a.yaml"]; got != "a: 2\n" {
		t.Errorf("served a.yaml = %q after the push", got)
	}
	if conditions.Has(obj, "ArtifactOutdated") || !conditions.IsReady(obj) {
		t.Errorf("conditions after storing the new revision: %+v", obj.Status.Conditions)
	}
	// Retention keeps 2 records: both artifacts are still served.
	download(t, &first)

	// A third revision pushes the first one out.
	repo.Write("a.yaml", "a: 3\n").Commit("third")
	requestReconcile(t, obj)
	if env.Store.Exists(first) {
		t.Errorf("first artifact %s still stored beyond the retention of 2 records", first.Path)
	}
	if reasons := eventReasons(t, obj); len(reasons) < 3 {
		t.Errorf("events %v, want one per stored revision", reasons)
	}
}

// Equal content gives an equal digest, whichever object stored it.
func TestReconcileDigestIsDeterministic(t *testing.T) {
	srv := testkit.StartGitServer(t)
	srv.NewRepo(t, "same").WriteFiles(map[string]string{"b.yaml": "b\n", "a/c.yaml": "c\n", "z.yaml": "z\n"}).Commit("one")
	ns := testkit.NewNamespace(t, env.CP.Client)
	one, two := newGitRepository(ns, srv.HTTPURL("same")), newGitRepository(ns, srv.HTTPURL("same"))
	create(t, one)
	create(t, two)
	waitReady(t, one)
	waitReady(t, two)
	if one.Status.Artifact.Digest != two.Status.Artifact.Digest {
		t.Errorf("digests differ for the same commit: %s and %s", one.Status.Artifact.Digest, two.Status.Artifact.Digest)
	}
}

// A semver range is resolved once: the clone fetches the tag it resolved
// to, so storing the artifact costs the Git server two ref advertisements
// (resolve, fetch) and one pack transfer, as a branch does.
func TestReconcileSemverResolvesOnce(t *testing.T) {
	srv := testkit.StartGitServer(t)
	repo := srv.NewRepo(t, "semver")
	repo.Write("a.yaml", "a: 1\n").Commit("one")
	repo.Tag("v1.0.0")
	head := repo.Write("a.yaml", "a: 2\n").Commit("two")
	repo.Tag("v1.1.0")
	ns := testkit.NewNamespace(t, env.CP.Client)
	obj := newGitRepository(ns, srv.HTTPURL("semver"), func(o *sourcev1.GitRepository) {
		o.Spec.Reference = &sourcev1.GitRepositoryRef{SemVer: "^1.0.0"}
	})
	create(t, obj)
	waitReady(t, obj)
	if obj.Status.Artifact.Revision != "v1.1.0@sha1:"+head {
		t.Fatalf("revision = %q, want v1.1.0@sha1:%s", obj.Status.Artifact.Revision, head)
	}
	if srv.RefAdvertisements() != 2 || srv.UploadPacks() != 1 {
		t.Errorf("%d ref advertisements and %d upload-packs, want 2 and 1", srv.RefAdvertisements(), srv.UploadPacks())
	}
}
