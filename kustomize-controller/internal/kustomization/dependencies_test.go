package kustomization

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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

// A readyExpr replaces the built-in check: here the dependency must carry
// the same version label as the dependent (a lockstep upgrade).
func TestDependsOnReadyExpr(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{
		"infra/cm.yaml": configMapYAML("infra", "v1"),
		"apps/cm.yaml":  configMapYAML("app", "v1"),
	})
	infra := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.GenerateName, k.Name = "", "infra"
		k.Labels = map[string]string{"app/version": "v1"}
		k.Spec.Path = "infra"
	})
	waitApplied(t, infra, *repo.Status.Artifact)
	apps := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Labels = map[string]string{"app/version": "v2"}
		k.Spec.Path = "apps"
		k.Spec.DependsOn = []kustomizev1.DependencyReference{{Name: "infra",
			ReadyExpr: "dep.metadata.labels['app/version'] == self.metadata.labels['app/version']"}}
	})
	msg := waitFailed(t, apps, kustomizev1.DependencyNotReadyReason)
	g.Expect(msg).To(ContainSubstring("readyExpr is false"))
	g.Expect(configMap(t, ns, "app")).To(BeNil(), "a Ready dependency whose readyExpr is false still holds the dependent")

	g.Eventually(func() error {
		if err := env.cp.Client.Get(context.Background(), keyOf(infra), infra); err != nil {
			return err
		}
		infra.Labels["app/version"] = "v2"
		return env.cp.Client.Update(context.Background(), infra)
	}, testkit.Timeout).Should(Succeed())
	waitApplied(t, apps, *repo.Status.Artifact)
	g.Expect(configMap(t, ns, "app")).NotTo(BeNil())
}

// An expression that does not compile stalls the dependent with a reason
// saying so, rather than waiting forever.
func TestDependsOnInvalidReadyExpr(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"apps/cm.yaml": configMapYAML("app", "v1")})
	apps := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.Path = "apps"
		k.Spec.DependsOn = []kustomizev1.DependencyReference{{Name: "infra", ReadyExpr: "dep.metadata.name =="}}
	})
	msg := waitFailed(t, apps, meta.InvalidCELExpressionReason)
	NewWithT(t).Expect(msg).To(And(ContainSubstring("invalid readyExpr"), ContainSubstring("spec.dependsOn[0]"), ContainSubstring("fix it")))
	testkit.WaitForCondition(t, env.cp.Client, apps, meta.StalledCondition, metav1.ConditionTrue, meta.InvalidCELExpressionReason)
}
