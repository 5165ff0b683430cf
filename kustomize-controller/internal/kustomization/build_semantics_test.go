package kustomization

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// spec.commonMetadata labels and annotates the objects themselves, as Flux
// does, and never the pod templates or selectors: otherwise changing it
// would roll out every workload of the Kustomization.
func TestCommonMetadataStaysOffPodTemplates(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{
		"kustomization.yaml": "resources: [web.yaml]\n",
		"web.yaml":           deploymentYAML, // its pod template carries only the app label
	})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.CommonMetadata = &kustomizev1.CommonMetadata{
			Labels:      map[string]string{"team": "payments"},
			Annotations: map[string]string{"owner": "payments@example.com"},
		}
	})
	waitApplied(t, ks, *repo.Status.Artifact)

	dep := &appsv1.Deployment{}
	g.Expect(env.cp.Client.Get(context.Background(), keyIn(ns, "web"), dep)).To(Succeed())
	g.Expect(dep.Labels).To(HaveKeyWithValue("team", "payments"))
	g.Expect(dep.Annotations).To(HaveKeyWithValue("owner", "payments@example.com"))
	g.Expect(dep.Spec.Selector.MatchLabels).To(Equal(map[string]string{"app": "web"}))
	g.Expect(dep.Spec.Template.Labels).To(Equal(map[string]string{"app": "web"}))
	g.Expect(dep.Spec.Template.Annotations).To(BeEmpty())
}

// With ignoreMissingComponents a component that is not in the source is left
// out, as in Flux; without it the build fails and names the component.
func TestIgnoreMissingComponents(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{
		"app/kustomization.yaml":   "resources: [app.yaml]\n",
		"app/app.yaml":             configMapYAML("app", "v1"),
		"extra/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [extra.yaml]\n",
		"extra/extra.yaml":         configMapYAML("extra", "v1"),
	})
	t.Run("ignored", func(t *testing.T) {
		ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
			k.Spec.Path = "./app"
			k.Spec.Components = []string{"../clusters/dev", "../extra"}
			k.Spec.IgnoreMissingComponents = true
		})
		waitApplied(t, ks, *repo.Status.Artifact)
		NewWithT(t).Expect(configMap(t, ns, "extra")).NotTo(BeNil())
	})
	t.Run("not ignored", func(t *testing.T) {
		ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
			k.Spec.Path = "./app"
			k.Spec.Components = []string{"../clusters/dev"}
		})
		msg := waitFailed(t, ks, kustomizev1.BuildFailedReason)
		NewWithT(t).Expect(msg).To(ContainSubstring("spec.components: '../clusters/dev' is not in the source"))
		NewWithT(t).Expect(msg).To(ContainSubstring("set spec.ignoreMissingComponents"))
	})
}

// spec.buildMetadata makes kustomize record where each object came from,
// and taking it out of the spec takes the annotation off the objects.
func TestBuildMetadataOriginAnnotations(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{
		"kustomization.yaml": "resources: [app.yaml]\n",
		"app.yaml":           configMapYAML("app", "v1"),
	})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.BuildMetadata = []kustomizev1.BuildMetadataOption{kustomizev1.BuildMetadataOriginAnnotations}
	})
	waitApplied(t, ks, *repo.Status.Artifact)
	g.Expect(configMap(t, ns, "app").Annotations).To(HaveKeyWithValue("config.kubernetes.io/origin",
		ContainSubstring("path: app.yaml")))

	updateSpec(t, ks, func(s *kustomizev1.KustomizationSpec) { s.BuildMetadata = nil })
	g.Eventually(func() map[string]string { return configMap(t, ns, "app").Annotations }, testkit.Timeout).
		ShouldNot(HaveKey("config.kubernetes.io/origin"))
}
