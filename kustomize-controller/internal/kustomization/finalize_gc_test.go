package kustomization

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// Deleting a suspended Kustomization deletes none of its objects, whatever
// its deletionPolicy, as in Flux.
func TestDeletingSuspendedKustomizationKeepsObjects(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"web.yaml": configMapYAML("web", "v1")})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.DeletionPolicy = kustomizev1.DeletionPolicyDelete
	})
	waitApplied(t, ks, *repo.Status.Artifact)

	g.Eventually(func() error {
		if err := env.cp.Client.Get(ctx, keyOf(ks), ks); err != nil {
			return err
		}
		ks.Spec.Suspend = true
		return env.cp.Client.Update(ctx, ks)
	}, testkit.Timeout).Should(Succeed())
	g.Expect(env.cp.Client.Delete(ctx, ks)).To(Succeed())
	testkit.WaitForDeletion(t, env.cp.Client, ks)
	g.Expect(configMap(t, ns, "web")).NotTo(BeNil(), "a suspended Kustomization's objects stay")
}
