package helmrelease

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// serviceAccount creates the service account name in ns, allowed every
// verb on resources (of the core group) in ns.
func serviceAccount(t *testing.T, ns, name string, resources ...string) {
	t.Helper()
	create(t, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}})
	create(t, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: resources, Verbs: []string{"*"}}}})
	create(t, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name}}})
}

// With spec.serviceAccountName, Helm acts as that service account: one
// allowed the chart's kinds installs the release.
func TestServiceAccountInstalls(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	serviceAccount(t, ns, "deployer", "secrets", "configmaps", "services")
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.ServiceAccountName = "deployer"
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)
	g.Expect(configMapData(t, ns, "app")).To(HaveKeyWithValue("greeting", "hello"))
}

// A service account without the rights a release needs fails its
// upgrade with Flux's reason and the apiserver's refusal naming the
// account; the release running is left as it was.
func TestServiceAccountWithoutRights(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	serviceAccount(t, ns, "reader", "secrets") // Helm's records, not the chart's kinds
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	hr := newRelease(ns, "app", hc.Name)
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)

	update(t, hr, func(hr *helmv2.HelmRelease) {
		hr.Spec.ServiceAccountName = "reader"
		hr.Spec.Values = jsonValues(t, "greeting: changed")
	})
	waitReady(t, hr, metav1.ConditionFalse, helmv2.UpgradeFailedReason)
	g.Expect(conditionMessage(hr, meta.ReadyCondition)).To(And(
		ContainSubstring("forbidden"), ContainSubstring("system:serviceaccount:"+ns+":reader")))
	waitEvent(t, hr, "Warning "+helmv2.UpgradeFailedReason)
	g.Expect(configMapData(t, ns, "app")).To(HaveKeyWithValue("greeting", "hello"), "the running release is unchanged")
}

// spec.kubeConfig.secretRef: the release goes to the cluster of the
// Secret's kubeconfig (here the test apiserver itself, reached as the
// kubeconfig's user).
func TestKubeConfigInstalls(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "remote"},
		Data: map[string][]byte{"value": env.cp.KubeConfig}})
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.KubeConfig = &kustomizev1.KubeConfigReference{SecretRef: &meta.SecretKeyReference{Name: "remote"}}
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)
	g.Expect(configMapData(t, ns, "app")).To(HaveKeyWithValue("greeting", "hello"))
}

// spec.kubeConfig.secretRef of a second cluster: the release, and Helm's
// records of it, go there, not to the cluster the controller runs in.
func TestKubeConfigReleasesIntoTheRemoteCluster(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	remote, err := testkit.StartControlPlane()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = remote.Stop() })
	ns := testkit.NewNamespace(t, env.cp.Client)
	g.Expect(remote.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "remote"},
		Data: map[string][]byte{"kubeconfig": remote.KubeConfig}})
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.KubeConfig = &kustomizev1.KubeConfigReference{SecretRef: &meta.SecretKeyReference{Name: "remote", Key: "kubeconfig"}}
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)

	cm := &corev1.ConfigMap{}
	g.Expect(remote.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "app"}, cm)).To(Succeed())
	g.Expect(cm.Data).To(HaveKeyWithValue("greeting", "hello"))
	g.Expect(configMapData(t, ns, "app")).To(BeNil(), "nothing in the controller's cluster")
	var records corev1.SecretList
	g.Expect(remote.Client.List(ctx, &records, client.InNamespace(ns), client.MatchingLabels{"owner": "helm"})).To(Succeed())
	g.Expect(records.Items).To(HaveLen(1), "Helm's record is in the remote cluster")
}

// A kubeconfig Secret that is missing, or holds no usable kubeconfig,
// leaves the HelmRelease not Ready with Flux's reason and a message
// saying what to do; nothing is installed.
func TestKubeConfigMissingOrMalformed(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	missing := newRelease(ns, "missing", hc.Name)
	missing.Spec.KubeConfig = &kustomizev1.KubeConfigReference{SecretRef: &meta.SecretKeyReference{Name: "nowhere"}}
	create(t, missing)
	waitReady(t, missing, metav1.ConditionFalse, restClientErrorReason)
	g.Expect(conditionMessage(missing, meta.ReadyCondition)).To(And(
		ContainSubstring("Secret 'nowhere' not found"), ContainSubstring("create it")))

	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "garbled"},
		Data: map[string][]byte{"config": []byte("token: s3cr3t\n\tnot a kubeconfig")}})
	bad := newRelease(ns, "bad", hc.Name)
	bad.Spec.KubeConfig = &kustomizev1.KubeConfigReference{SecretRef: &meta.SecretKeyReference{Name: "garbled", Key: "config"}}
	create(t, bad)
	testkit.WaitForCondition(t, env.cp.Client, bad, meta.StalledCondition, metav1.ConditionTrue, restClientErrorReason)
	msg := conditionMessage(bad, meta.ReadyCondition)
	g.Expect(msg).To(And(ContainSubstring("Secret 'garbled'"), ContainSubstring("fix the Secret")))
	g.Expect(msg).NotTo(ContainSubstring("s3cr3t"))
	waitEvent(t, bad, "Warning "+restClientErrorReason)
	g.Expect(configMapData(t, ns, "missing")).To(BeNil())
	g.Expect(configMapData(t, ns, "bad")).To(BeNil())

	// Never released, they are deleted without reaching any cluster.
	for _, hr := range []*helmv2.HelmRelease{missing, bad} {
		g.Expect(env.cp.Client.Delete(context.Background(), hr)).To(Succeed())
		testkit.WaitForDeletion(t, env.cp.Client, hr)
	}
}

// A HelmRelease deleted after the service account it impersonates (as
// when its namespace goes) leaves its release in place, as Flux does,
// rather than being held by an uninstall that cannot be done in the
// account's name; so does one whose kubeconfig Secret is gone.
func TestDeletionWithoutItsIdentityLeavesTheRelease(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.cp.Client)
	serviceAccount(t, ns, "deployer", "secrets", "configmaps", "services")
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.ServiceAccountName = "deployer"
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)

	g.Expect(env.cp.Client.Delete(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "deployer"}})).To(Succeed())
	g.Expect(env.cp.Client.Delete(ctx, hr)).To(Succeed())
	testkit.WaitForDeletion(t, env.cp.Client, hr)
	g.Expect(configMapData(t, ns, "app")).NotTo(BeNil(), "the release is left in place")

	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "remote"},
		Data: map[string][]byte{"value": env.cp.KubeConfig}}
	create(t, secret)
	remote := newRelease(ns, "remote", hc.Name)
	remote.Spec.KubeConfig = &kustomizev1.KubeConfigReference{SecretRef: &meta.SecretKeyReference{Name: "remote"}}
	create(t, remote)
	waitReady(t, remote, metav1.ConditionTrue, helmv2.InstallSucceededReason)
	g.Expect(env.cp.Client.Delete(ctx, secret)).To(Succeed())
	g.Expect(env.cp.Client.Delete(ctx, remote)).To(Succeed())
	testkit.WaitForDeletion(t, env.cp.Client, remote)
	g.Expect(configMapData(t, ns, "remote")).NotTo(BeNil(), "the remote release is left in place")
}
