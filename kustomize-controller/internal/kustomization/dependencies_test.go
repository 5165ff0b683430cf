package kustomization

import (
	"testing"

	. "github.com/onsi/gomega"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// A Kustomization waits for the ones it depends on, and is applied as soon
// as they are Ready.
func TestDependsOnOrdering(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{
		"infra/cm.yaml": configMapYAML("infra", "v1"),
		"apps/cm.yaml":  configMapYAML("app", "v1"),
	})
	apps := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.Path = "apps"
		k.Spec.DependsOn = []kustomizev1.DependencyReference{{Name: "infra"}}
	})
	msg := waitFailed(t, apps, kustomizev1.DependencyNotReadyReason)
	g.Expect(msg).To(ContainSubstring("infra"))
	g.Expect(configMap(t, ns, "app")).To(BeNil(), "nothing is applied before its dependencies are ready")

	infra := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.GenerateName, k.Name = "", "infra"
		k.Spec.Path = "infra"
	})
	waitApplied(t, infra, *repo.Status.Artifact)
	waitApplied(t, apps, *repo.Status.Artifact)
	g.Expect(configMap(t, ns, "app")).NotTo(BeNil())
}
