package kustomization

import (
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// A Kustomization whose build holds itself, with wait: true, does not wait
// for its own Ready: it becomes Ready.
func TestWaitSkipsTheKustomizationItself(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"cm.yaml": configMapYAML("cm", "v1")})
	self := fmt.Sprintf(`apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: self
spec:
  interval: 1h
  timeout: 5s
  prune: true
  wait: true
  targetNamespace: %s
  sourceRef: {kind: GitRepository, name: %s}
`, ns, repo.Name)
	a := commit(t, repo, map[string]string{"cm.yaml": configMapYAML("cm", "v1"), "self.yaml": self})
	ks := &kustomizev1.Kustomization{
		ObjectMeta: metav1.ObjectMeta{Name: "self", Namespace: ns},
		Spec: kustomizev1.KustomizationSpec{
			Interval: metav1.Duration{Duration: time.Hour}, Timeout: &metav1.Duration{Duration: 5 * time.Second},
			Prune: true, Wait: true, TargetNamespace: ns,
			SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: sourcev1.GitRepositoryKind, Name: repo.Name},
		},
	}
	create(t, ks)
	waitApplied(t, ks, a)
	NewWithT(t).Expect(ks.Status.Inventory.Entries).To(ContainElement(HaveField("ID", ns+"_self_kustomize.toolkit.fluxcd.io_Kustomization")))
}

// wait: true checks only what was applied: not an object left to others
// by IfNotPresent (existing, never rolled out here), nor objects ssa: Ignore
// or reconcile: disabled kept from being created.
func TestWaitSkipsSkippedObjects(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	ifNotPresent := strings.Replace(deploymentYAML, "  name: web\n",
		"  name: web\n  annotations: {kustomize.toolkit.fluxcd.io/ssa: IfNotPresent}\n", 1)
	create(t, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx"}}},
			},
		},
	})
	repo := newSource(t, ns, map[string]string{
		"deploy.yaml":   ifNotPresent,
		"ignored.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ignored\n  annotations: {kustomize.toolkit.fluxcd.io/ssa: Ignore}\n",
		"disabled.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: disabled\n  labels: {kustomize.toolkit.fluxcd.io/reconcile: disabled}\n",
		"cm.yaml":       configMapYAML("cm", "v1"),
	})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.Wait = true
		k.Spec.Timeout = &metav1.Duration{Duration: 5 * time.Second}
	})
	waitApplied(t, ks, *repo.Status.Artifact)
	NewWithT(t).Expect(configMap(t, ns, "ignored")).To(BeNil())
}
