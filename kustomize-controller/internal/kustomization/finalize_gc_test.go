package kustomization

import (
	"context"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

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

// deleteAndWait deletes ks and waits until it is gone: its finalizer must
// not hold it.
func deleteAndWait(t *testing.T, ks *kustomizev1.Kustomization) {
	t.Helper()
	NewWithT(t).Expect(env.cp.Client.Delete(context.Background(), ks)).To(Succeed())
	testkit.WaitForDeletion(t, env.cp.Client, ks)
}

// newDeployer creates the service account "deployer" in ns, allowed the
// given verbs on ConfigMaps.
func newDeployer(t *testing.T, ns string, verbs ...string) *corev1.ServiceAccount {
	t.Helper()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "deployer", Namespace: ns}}
	create(t, sa)
	create(t, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "configmaps", Namespace: ns},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: verbs}}})
	create(t, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "deployer", Namespace: ns},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "configmaps"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "deployer", Namespace: ns}}})
	return sa
}

// With WaitForTermination, objects that do not terminate within
// spec.timeout do not hold the Kustomization: it goes, with a Warning
// event naming them, as in Flux.
func TestFinalizerGivesUpWaitingForTermination(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"held.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n" +
		"  finalizers: [test.tide.dev/hold]\ndata:\n  key: v1\n"})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.DeletionPolicy = kustomizev1.DeletionPolicyWaitForTermination
		k.Spec.Timeout = &metav1.Duration{Duration: time.Second}
	})
	waitApplied(t, ks, *repo.Status.Artifact)
	t.Cleanup(func() {
		cm := configMap(t, ns, "held")
		if cm != nil {
			cm.Finalizers = nil
			_ = env.cp.Client.Update(context.Background(), cm)
		}
	})

	g.Expect(env.cp.Client.Delete(context.Background(), ks)).To(Succeed())
	// spec.timeout is at least 30s, as in Flux: the wait takes that long.
	g.Eventually(func() bool {
		return apierrors.IsNotFound(env.cp.Client.Get(context.Background(), keyOf(ks), &kustomizev1.Kustomization{}))
	}, 2*testkit.Timeout, time.Second).Should(BeTrue(), "the Kustomization is deleted")
	g.Expect(configMap(t, ns, "held").DeletionTimestamp).NotTo(BeNil(), "the object was deleted")
	waitEvent(t, ks, "Warning", "not terminated", "ConfigMap/"+ns+"/held")
}

// When the impersonated service account is gone, as when its namespace is
// being deleted, nothing is deleted in its name and the Kustomization goes,
// with a Warning event naming what it left, as in Flux.
func TestFinalizerSkipsGarbageCollectionWithoutServiceAccount(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	sa := newDeployer(t, ns, "*")
	repo := newSource(t, ns, map[string]string{"web.yaml": configMapYAML("web", "v1")})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) { k.Spec.ServiceAccountName = sa.Name })
	waitApplied(t, ks, *repo.Status.Artifact)

	g.Expect(env.cp.Client.Delete(context.Background(), sa)).To(Succeed())
	deleteAndWait(t, ks)
	g.Expect(configMap(t, ns, "web")).NotTo(BeNil())
	waitEvent(t, ks, "Warning", "service account '"+ns+"/deployer'", "does not exist", "ConfigMap/"+ns+"/web")
}

// When the impersonated service account may not delete the objects, the
// Kustomization still goes, with a Warning event naming what it left and
// the apiserver's refusal: retrying would hold it, and its namespace,
// forever.
func TestFinalizerGivesUpWhenDeletionIsForbidden(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	sa := newDeployer(t, ns, "get", "list", "watch", "create", "update", "patch")
	repo := newSource(t, ns, map[string]string{"web.yaml": configMapYAML("web", "v1")})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) { k.Spec.ServiceAccountName = sa.Name })
	waitApplied(t, ks, *repo.Status.Artifact)

	deleteAndWait(t, ks)
	g.Expect(configMap(t, ns, "web")).NotTo(BeNil())
	waitEvent(t, ks, "Warning", "may not delete", "forbidden", "ConfigMap/"+ns+"/web")
}

// A failure that may pass, such as a remote cluster out of reach, is
// retried, but not forever: once the Kustomization has been deleting for
// longer than spec.timeout, it goes, with a Warning event naming what it
// left.
func TestFinalizerGivesUpOnUnreachableCluster(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.cp.Client)
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "kubeconfig", Namespace: ns},
		Data: map[string][]byte{"value": env.cp.KubeConfig}} // this very cluster, as a remote one
	create(t, secret)
	repo := newSource(t, ns, map[string]string{"web.yaml": configMapYAML("web", "v1")})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.KubeConfig = &kustomizev1.KubeConfigReference{SecretRef: &meta.SecretKeyReference{Name: secret.Name}}
		k.Spec.Timeout = &metav1.Duration{Duration: time.Second} // 30s at least, as in Flux
	})
	waitApplied(t, ks, *repo.Status.Artifact)

	secret.Data["value"] = kubeConfigWith(t, func(c *clientcmdapi.Cluster, _ *clientcmdapi.AuthInfo) {
		c.Server = "https://127.0.0.1:1"
	})
	g.Expect(env.cp.Client.Update(ctx, secret)).To(Succeed())
	g.Expect(env.cp.Client.Delete(ctx, ks)).To(Succeed())
	g.Eventually(func() bool {
		return apierrors.IsNotFound(env.cp.Client.Get(ctx, keyOf(ks), &kustomizev1.Kustomization{}))
	}, 3*testkit.Timeout, time.Second).Should(BeTrue(), "the Kustomization is deleted")
	g.Expect(configMap(t, ns, "web")).NotTo(BeNil())
	waitEvent(t, ks, "Warning", "still failing", "ConfigMap/"+ns+"/web")
}
