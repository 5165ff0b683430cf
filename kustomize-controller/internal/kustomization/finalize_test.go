package kustomization

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// Deleting a Kustomization deletes what it applied, or not, as
// spec.deletionPolicy says.
func TestDeletionPolicy(t *testing.T) {
	for _, tc := range []struct {
		policy  string
		prune   bool
		deletes bool
	}{
		{kustomizev1.DeletionPolicyMirrorPrune, true, true},
		{kustomizev1.DeletionPolicyMirrorPrune, false, false},
		{kustomizev1.DeletionPolicyDelete, false, true},
		{kustomizev1.DeletionPolicyWaitForTermination, false, true},
		{kustomizev1.DeletionPolicyOrphan, true, false},
	} {
		t.Run(tc.policy, func(t *testing.T) {
			ns := testkit.NewNamespace(t, env.cp.Client)
			repo := newSource(t, ns, map[string]string{"web.yaml": configMapYAML("web", "v1")})
			ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
				k.Spec.DeletionPolicy, k.Spec.Prune = tc.policy, tc.prune
			})
			waitApplied(t, ks, *repo.Status.Artifact)
			NewWithT(t).Expect(env.cp.Client.Delete(context.Background(), ks)).To(Succeed())
			testkit.WaitForDeletion(t, env.cp.Client, ks)
			if tc.deletes {
				NewWithT(t).Expect(configMap(t, ns, "web")).To(BeNil())
			} else {
				NewWithT(t).Expect(configMap(t, ns, "web")).NotTo(BeNil())
			}
		})
	}
}
