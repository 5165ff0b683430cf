package gitrepository

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

func TestReconcileDeletionRemovesArtifacts(t *testing.T) {
	srv := testkit.StartGitServer(t)
	srv.NewRepo(t, "gone").Write("a.yaml", "a\n").Commit("first")
	ns := testkit.NewNamespace(t, env.CP.Client)
	obj := newGitRepository(ns, srv.HTTPURL("gone"))
	create(t, obj)
	waitReady(t, obj)
	artifact := *obj.Status.Artifact

	if err := env.CP.Client.Delete(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
	testkit.WaitForDeletion(t, env.CP.Client, obj)
	if env.Store.Exists(artifact) {
		t.Errorf("artifact %s still stored after its GitRepository was deleted", artifact.Path)
	}
	resp, err := env.HTTP.Get(artifact.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("GET %s after deletion: %s, want 404", artifact.URL, resp.Status)
	}
}

func TestReconcileSuspend(t *testing.T) {
	srv := testkit.StartGitServer(t)
	repo := srv.NewRepo(t, "paused")
	repo.Write("a.yaml", "a\n").Commit("first")
	ns := testkit.NewNamespace(t, env.CP.Client)
	obj := newGitRepository(ns, srv.HTTPURL("paused"))
	create(t, obj)
	waitReady(t, obj)
	stored := obj.Status.Artifact.Revision

	updateSpec(t, obj, func(o *sourcev1.GitRepository) { o.Spec.Suspend = true })
	repo.Write("a.yaml", "b\n").Commit("second")
	adverts := srv.RefAdvertisements()
	requestReconcileNoWait(t, obj)
	NewWithT(t).Consistently(func() int64 { return srv.RefAdvertisements() }, "2s").Should(Equal(adverts),
		"a suspended GitRepository contacted the Git server")
	if obj.Status.Artifact.Revision != stored || !conditions.IsReady(obj) {
		t.Errorf("suspended object changed: %+v", obj.Status)
	}
}
