package kustomization

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// With spec.serviceAccountName, objects are applied as that account: what
// its RBAC allows is applied, and a forbidden object fails with the
// apiserver's own message.
func TestImpersonatedServiceAccount(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	create(t, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "deployer", Namespace: ns}})
	create(t, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "configmaps", Namespace: ns},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"*"}}}})
	create(t, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "deployer", Namespace: ns},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "configmaps"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "deployer", Namespace: ns}}})

	repo := newSource(t, ns, map[string]string{"web.yaml": configMapYAML("web", "v1")})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) { k.Spec.ServiceAccountName = "deployer" })
	waitApplied(t, ks, *repo.Status.Artifact)
	g.Expect(configMap(t, ns, "web").ManagedFields).To(ContainElement(
		HaveField("Manager", "kustomize-controller")))

	commit(t, repo, map[string]string{
		"web.yaml":    configMapYAML("web", "v2"),
		"secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\nstringData:\n  token: abc\n",
	})
	msg := waitFailed(t, ks, kustomizev1.ReconciliationFailedReason)
	g.Expect(msg).To(And(ContainSubstring("forbidden"), ContainSubstring("system:serviceaccount:"+ns+":deployer")))
	g.Expect(configMap(t, ns, "web").Data).To(HaveKeyWithValue("key", "v1"), "nothing applied when one object is forbidden")
}

// spec.kubeConfig.secretRef applies into another cluster: a second, real
// apiserver here.
func TestRemoteCluster(t *testing.T) {
	g := NewWithT(t)
	remote, err := testkit.StartControlPlane()
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = remote.Stop() })

	ns := testkit.NewNamespace(t, env.cp.Client)
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "remote-kubeconfig", Namespace: ns},
		Data: map[string][]byte{"value": remote.KubeConfig}})
	repo := newSource(t, ns, map[string]string{
		"ns.yaml":  "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: remote-apps\n",
		"web.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: remote-apps\ndata:\n  key: remote\n",
	})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.TargetNamespace = ""
		k.Spec.KubeConfig = &kustomizev1.KubeConfigReference{SecretRef: &meta.SecretKeyReference{Name: "remote-kubeconfig"}}
	})
	waitApplied(t, ks, *repo.Status.Artifact)

	cm := &corev1.ConfigMap{}
	g.Expect(remote.Client.Get(context.Background(), keyIn("remote-apps", "web"), cm)).To(Succeed())
	g.Expect(cm.Data).To(HaveKeyWithValue("key", "remote"))
	g.Expect(configMap(t, "remote-apps", "web")).To(BeNil(), "nothing applied to the local cluster")
}
