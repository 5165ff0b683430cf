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
