package kustomization

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
	"github.com/tidegitops/tide/testkit"
)

// deletingKustomization is a Kustomization of ns being deleted, with
// deletionPolicy Delete and the ConfigMap "web" (created here) in its
// inventory.
func deletingKustomization(t *testing.T, ns string) *kustomizev1.Kustomization {
	t.Helper()
	now := metav1.Now()
	ks := &kustomizev1.Kustomization{
		ObjectMeta: metav1.ObjectMeta{Name: "gone", Namespace: ns, DeletionTimestamp: &now},
		Spec:       kustomizev1.KustomizationSpec{DeletionPolicy: kustomizev1.DeletionPolicyDelete},
	}
	create(t, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns, Labels: ownerLabels(ks)}})
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("v1")
	u.SetKind("ConfigMap")
	u.SetNamespace(ns)
	u.SetName("web")
	ks.Status.Inventory = inventory.New([]*unstructured.Unstructured{u})
	return ks
}

// The finalizer deletes with the same applier settings as apply:
// --concurrent-ssa and --override-manager are not dropped on deletion.
func TestFinalizerFollowsTheControllerFlags(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	r := &Reconciler{Clusters: newTestClusters(t, KubeConfigOptions{}), Options: Options{
		FieldManager: "kustomize-controller", ConcurrentSSA: 3, OverrideManagers: []string{"kubectl-edit"}}}
	s := &scope{obj: deletingKustomization(t, ns)}

	g.Expect(r.finalize(context.Background(), s)).To(Succeed())
	g.Expect(configMap(t, ns, "web")).To(BeNil(), "the object is deleted")
	g.Expect(s.manager.Concurrency).To(Equal(3))
	g.Expect(s.manager.OverrideManagers).To(Equal([]string{"kubectl-edit"}))
}

// A finalizer attempt that fails and is retried keeps the remote client of
// the kubeconfig Secret, which other Kustomizations may share; only the
// attempt that removes the finalizer drops it.
func TestFinalizerKeepsRemoteClientUntilDone(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "kubeconfig", Namespace: ns},
		Data: map[string][]byte{"value": env.cp.KubeConfig}})
	clusters := newTestClusters(t, KubeConfigOptions{})
	r := &Reconciler{Clusters: clusters, Options: Options{FieldManager: "kustomize-controller"}}
	ks := deletingKustomization(t, ns)
	ks.Spec.KubeConfig = &kustomizev1.KubeConfigReference{SecretRef: &meta.SecretKeyReference{Name: "kubeconfig"}}
	_, err := clusters.For(context.Background(), ks)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(clusters.remoteClients()).To(Equal(1))

	// An attempt cut short (the apiserver slow, a deadline) is retried.
	cut, cancel := context.WithCancel(context.Background())
	cancel()
	g.Expect(r.finalize(cut, &scope{obj: ks})).NotTo(Succeed())
	g.Expect(clusters.remoteClients()).To(Equal(1), "a retried attempt keeps the shared client")
	g.Expect(configMap(t, ns, "web")).NotTo(BeNil())

	g.Expect(r.finalize(context.Background(), &scope{obj: ks})).To(Succeed())
	g.Expect(configMap(t, ns, "web")).To(BeNil(), "the object is deleted")
	g.Expect(clusters.remoteClients()).To(BeZero(), "the client goes with the finalizer")
}
