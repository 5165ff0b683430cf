package devenv_test

import (
	"context"
	"strings"
	"testing"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/storage/memory"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/cli/internal/devenv"
	"github.com/tidegitops/tide/cli/internal/kube"
)

// assertDemoImageUpdate checks the demo's image loop (examples/images):
// the ImagePolicy picked the newest version the demo registry holds (not
// its release candidate), the automation committed it to fleet.git as
// "tide image automation", changing only the marked image of
// apps/deployment.yaml, and the demo Deployment runs it.
func assertDemoImageUpdate(ctx context.Context, t *testing.T, c client.Client, env *devenv.Env) {
	g := NewWithT(t)
	want := env.DemoImage + ":" + devenv.DemoImageLatest
	key := func(name string) client.ObjectKey {
		return client.ObjectKey{Namespace: kube.DefaultNamespace, Name: name}
	}

	policy := &imagev1.ImagePolicy{}
	g.Expect(c.Get(ctx, key(devenv.DemoImagePolicy), policy)).To(Succeed())
	g.Expect(apimeta.IsStatusConditionTrue(policy.Status.Conditions, "Ready")).To(BeTrue(), "ImagePolicy: %v", policy.Status.Conditions)
	g.Expect(policy.Status.LatestRef).NotTo(BeNil())
	g.Expect(policy.Status.LatestRef.Tag).To(Equal(devenv.DemoImageLatest))
	auto := &imagev1.ImageUpdateAutomation{}
	g.Expect(c.Get(ctx, key(devenv.DemoImageAutomation), auto)).To(Succeed())
	g.Expect(apimeta.IsStatusConditionTrue(auto.Status.Conditions, "Ready")).To(BeTrue(), "ImageUpdateAutomation: %v", auto.Status.Conditions)

	fleet, err := gogit.Clone(memory.NewStorage(), memfs.New(), &gogit.CloneOptions{URL: env.RepoURL})
	g.Expect(err).NotTo(HaveOccurred())
	head, err := fleet.Head()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(head.Hash().String()).To(Equal(auto.Status.LastPushCommit))
	commit, err := fleet.CommitObject(head.Hash())
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(commit.Author.Name).To(Equal("tide image automation"))
	g.Expect(commit.Message).To(ContainSubstring("- ghcr.io/stefanprodan/podinfo:6.7.1 -> " + want))
	tree, err := fleet.Worktree()
	g.Expect(err).NotTo(HaveOccurred())
	data, err := util.ReadFile(tree.Filesystem, "apps/deployment.yaml")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(data)).To(ContainSubstring("          image: " + want + ` # {"$imagepolicy": "flux-system:hello"}` + "\n"))
	g.Expect(strings.Count(string(data), devenv.DemoImageLatest)).To(Equal(1), "only the marked value changed")

	d := &appsv1.Deployment{}
	g.Expect(c.Get(ctx, client.ObjectKey{Namespace: devenv.DemoNamespace, Name: devenv.DemoApp}, d)).To(Succeed())
	g.Expect(d.Spec.Template.Spec.Containers[0].Image).To(Equal(want))
	g.Expect(d.Status.UpdatedReplicas).To(Equal(*d.Spec.Replicas))
	g.Expect(d.Status.AvailableReplicas).To(Equal(*d.Spec.Replicas))
}
