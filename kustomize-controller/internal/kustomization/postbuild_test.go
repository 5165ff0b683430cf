package kustomization

import (
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// Variables come from ConfigMaps and Secrets in order, spec.substitute wins,
// defaults fill the gaps, and an optional missing reference is skipped.
func TestPostBuildSubstitution(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	create(t, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "vars", Namespace: ns},
		Data: map[string]string{"GREETING": "hello", "TARGET": "from-configmap", "SIZE": "small"}})
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "secret-vars", Namespace: ns},
		Data: map[string][]byte{"TARGET": []byte("from-secret")}})
	repo := newSource(t, ns, map[string]string{
		"web.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n" +
			"  greeting: ${GREETING} ${TARGET}\n  size: ${SIZE}\n  color: ${COLOR:=blue}\n",
		"raw.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: raw\n" +
			"  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  text: ${LEFT_ALONE}\n",
	})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.PostBuild = &kustomizev1.PostBuild{
			Substitute: map[string]string{"SIZE": "large"},
			SubstituteFrom: []kustomizev1.SubstituteReference{
				{Kind: "ConfigMap", Name: "vars"},
				{Kind: "Secret", Name: "secret-vars"},
				{Kind: "ConfigMap", Name: "not-there", Optional: true},
			},
		}
	})
	waitApplied(t, ks, *repo.Status.Artifact)
	g.Expect(configMap(t, ns, "web").Data).To(Equal(map[string]string{
		"greeting": "hello from-secret", "size": "large", "color": "blue"}))
	g.Expect(configMap(t, ns, "raw").Data).To(HaveKeyWithValue("text", "${LEFT_ALONE}"))
}

// A missing, non-optional substituteFrom reference stops the build and
// says how to fix it.
func TestSubstituteFromMissing(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"web.yaml": configMapYAML("web", "${X}")})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.PostBuild = &kustomizev1.PostBuild{SubstituteFrom: []kustomizev1.SubstituteReference{{Kind: "ConfigMap", Name: "absent"}}}
	})
	msg := waitFailed(t, ks, kustomizev1.BuildFailedReason)
	NewWithT(t).Expect(msg).To(And(ContainSubstring("absent"), ContainSubstring("optional")))
}
