package kustomization

import (
	"context"
	"fmt"
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/testkit"
)

// protectLive sets key=value on the ConfigMap in the cluster, as a label or
// an annotation, as a person or another tool would (not kubectl, whose
// fields the next apply would take over).
func protectLive(t *testing.T, ns, name, key, value string, label bool) {
	t.Helper()
	NewWithT(t).Eventually(func() error {
		cm := configMap(t, ns, name)
		if cm == nil {
			return fmt.Errorf("ConfigMap %s/%s not found", ns, name)
		}
		target := &cm.Annotations
		if label {
			target = &cm.Labels
		}
		if *target == nil {
			*target = map[string]string{}
		}
		(*target)[key] = value
		return env.cp.Client.Update(context.Background(), cm, client.FieldOwner("ops"))
	}, testkit.Timeout).Should(Succeed())
}

// prune: disabled as a label on the object in the cluster protects it as
// the annotation does: it is not pruned when it leaves Git, nor deleted
// with its Kustomization.
func TestPruneDisabledLabelInCluster(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{
		"kept.yaml":    configMapYAML("kept", "v1"),
		"pruned.yaml":  configMapYAML("pruned", "v1"),
		"held.yaml":    configMapYAML("held", "v1"),
		"deleted.yaml": configMapYAML("deleted", "v1"),
	})
	ks := newKustomization(t, repo)
	waitApplied(t, ks, *repo.Status.Artifact)
	protectLive(t, ns, "kept", "kustomize.toolkit.fluxcd.io/prune", "disabled", true)
	protectLive(t, ns, "held", "kustomize.toolkit.fluxcd.io/prune", "disabled", true)

	second := commit(t, repo, map[string]string{
		"held.yaml":    configMapYAML("held", "v1"),
		"deleted.yaml": configMapYAML("deleted", "v1"),
	})
	waitApplied(t, ks, second)
	g.Expect(configMap(t, ns, "pruned")).To(BeNil(), "an unprotected object that left Git is pruned")
	g.Expect(configMap(t, ns, "kept")).NotTo(BeNil(), "the label protects from pruning")

	g.Expect(env.cp.Client.Delete(context.Background(), ks)).To(Succeed())
	testkit.WaitForDeletion(t, env.cp.Client, ks)
	g.Expect(configMap(t, ns, "deleted")).To(BeNil(), "an unprotected object goes with its Kustomization")
	g.Expect(configMap(t, ns, "held")).NotTo(BeNil(), "the label protects from deletion with the Kustomization")
}

// ssa: Ignore set on the object in the cluster (not in Git) takes it out of
// the Kustomization's hands, as in Flux: a hand edit is not reverted (the
// object is skipped, not configured), and it is neither pruned when it
// leaves Git nor deleted with the Kustomization.
func TestIgnoredInClusterIsLeftAlone(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{
		"edited.yaml": configMapYAML("edited", "from-git"),
		"pruned.yaml": configMapYAML("pruned", "v1"),
		"held.yaml":   configMapYAML("held", "v1"),
	})
	ks := newKustomization(t, repo)
	waitApplied(t, ks, *repo.Status.Artifact)
	for _, name := range []string{"edited", "pruned", "held"} {
		protectLive(t, ns, name, "kustomize.toolkit.fluxcd.io/ssa", "Ignore", name == "held")
	}
	g.Eventually(func() error {
		cm := configMap(t, ns, "edited")
		cm.Data["key"] = "by-hand"
		return env.cp.Client.Update(ctx, cm, client.FieldOwner("kubectl-edit"))
	}, testkit.Timeout).Should(Succeed())

	second := commit(t, repo, map[string]string{
		"edited.yaml": configMapYAML("edited", "from-git"),
		"held.yaml":   configMapYAML("held", "v2"),
	})
	waitApplied(t, ks, second)
	g.Expect(configMap(t, ns, "edited").Data).To(HaveKeyWithValue("key", "by-hand"), "an ignored object is not reverted")
	g.Expect(configMap(t, ns, "held").Data).To(HaveKeyWithValue("key", "v1"), "an ignored object is not updated")
	g.Expect(configMap(t, ns, "pruned")).NotTo(BeNil(), "an ignored object is not pruned")
	g.Expect(eventMessages(t, ks)).NotTo(ContainElement(ContainSubstring("/edited configured")))
	g.Expect(eventMessages(t, ks)).NotTo(ContainElement(ContainSubstring("/held configured")))

	g.Expect(env.cp.Client.Delete(ctx, ks)).To(Succeed())
	testkit.WaitForDeletion(t, env.cp.Client, ks)
	g.Expect(configMap(t, ns, "held")).NotTo(BeNil(), "an ignored object is not deleted with its Kustomization")
}
