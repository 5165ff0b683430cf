package imageupdate

import (
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// TestCheckoutRefOverridesTheSource: spec.git.checkout.ref, not the
// GitRepository's ref, is where the update starts, and (with no push
// branch) where it is pushed; the GitRepository's branch is untouched.
func TestCheckoutRefOverridesTheSource(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	srv := testkit.StartGitServer(t)
	repo := srv.NewRepo(t, "fleet").Write("web.yaml", marked(ns))
	base := repo.Commit("init")
	repo.Branch("release").Write("release.txt", "only on release").Commit("release")
	newGitRepository(t, ns, srv.HTTPURL("fleet"))
	newPolicy(t, ns, "web", "ghcr.io/org/web", "2.0.0", nil)
	auto := newAutomation(ns, func(a *imagev1.ImageUpdateAutomation) {
		a.Spec.GitSpec.Checkout = &imagev1.GitCheckoutSpec{Reference: sourcev1.GitRepositoryRef{Branch: "release"}}
	})
	create(t, auto)
	got := waitReady(t, auto, metav1.ConditionTrue, "Succeeded")
	g := NewWithT(t)
	g.Expect(remoteHead(t, srv, "fleet", "master").Hash.String()).To(Equal(base))
	head := remoteHead(t, srv, "fleet", "release")
	g.Expect(got.Status.LastPushCommit).To(Equal(head.Hash.String()))
	g.Expect(fileAt(t, head, "release.txt")).To(Equal("only on release"))
	g.Expect(fileAt(t, head, "web.yaml")).To(ContainSubstring("ghcr.io/org/web:2.0.0 #"))
	g.Expect(got.Status.ObservedSourceRevision).To(Equal("release@sha1:" + head.Hash.String()))
}
