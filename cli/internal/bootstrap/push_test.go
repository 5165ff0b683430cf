package bootstrap

import (
	"context"
	"testing"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	. "github.com/onsi/gomega"

	"github.com/tidegitops/tide/testkit"
)

// A branch that moved after bootstrap cloned it is never overwritten: the
// push is refused with what to do, and the other commit stays.
func TestPushNeverForces(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	git := testkit.StartGitServer(t)
	remote := git.NewRepo(t, "fleet")
	remote.Write("README.md", "fleet\n").Commit("first")

	co, err := clone(ctx, Options{URL: git.HTTPURL("fleet"), Branch: "master", Path: "clusters/dev"})
	g.Expect(err).NotTo(HaveOccurred())
	theirs := remote.Write("apps/app.yaml", "kind: ConfigMap\n").Commit("someone else's commit")

	_, changed, err := co.commit(map[string][]byte{"clusters/dev/flux-system/kustomization.yaml": []byte("resources: []\n")})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(changed).To(BeTrue())
	err = co.push(ctx)
	g.Expect(err).To(MatchError(ContainSubstring("rejected")))
	g.Expect(err.Error()).To(ContainSubstring("pull and resolve"))
	bare, err := gogit.PlainOpen(git.RepoDir("fleet"))
	g.Expect(err).NotTo(HaveOccurred())
	head, err := bare.Reference(plumbing.NewBranchReferenceName("master"), true)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(head.Hash().String()).To(Equal(theirs), "the other commit must stay the branch head")
}
