package kustomization

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// A Kustomization whose source does not exist yet waits for it, and goes
// ahead as soon as the source has an artifact.
func TestSourceMissingThenReady(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := &sourcev1.GitRepository{}
	repo.Namespace, repo.Name = ns, "later"
	ks := newKustomization(t, repo)
	msg := waitFailed(t, ks, kustomizev1.ArtifactFailedReason)
	NewWithT(t).Expect(msg).To(ContainSubstring("not found"))
	waitEvent(t, ks, "Warning", kustomizev1.ArtifactFailedReason)

	repo.Spec = sourcev1.GitRepositorySpec{URL: "https://git.example.com/x.git", Interval: ks.Spec.Interval}
	create(t, repo)
	msg = waitFailed(t, ks, kustomizev1.ArtifactFailedReason)
	NewWithT(t).Eventually(func() string {
		_ = env.cp.Client.Get(context.Background(), keyOf(ks), ks)
		return conditions.GetMessage(ks, meta.ReadyCondition)
	}, testkit.Timeout).Should(ContainSubstring("no artifact yet"), msg)

	a := commit(t, repo, map[string]string{"web.yaml": configMapYAML("web", "v1")})
	waitApplied(t, ks, a)
}

func TestCrossNamespaceSourceRefused(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	other := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, other, map[string]string{"web.yaml": configMapYAML("web", "v1")})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Namespace = ns
		k.Spec.TargetNamespace = ns
		k.Spec.SourceRef.Namespace = other
	})
	msg := waitFailed(t, ks, accessDeniedReason)
	NewWithT(t).Expect(msg).To(ContainSubstring("--no-cross-namespace-refs"))
	NewWithT(t).Expect(configMap(t, ns, "web")).To(BeNil())
}
