package kustomization

import (
	"context"
	"errors"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// A kubeconfig made from the test control plane's, changed by edit.
func kubeConfigWith(t *testing.T, edit func(cluster *clientcmdapi.Cluster, user *clientcmdapi.AuthInfo)) []byte {
	t.Helper()
	cfg, err := clientcmd.Load(env.cp.KubeConfig)
	if err != nil {
		t.Fatal(err)
	}
	current := cfg.Contexts[cfg.CurrentContext]
	edit(cfg.Clusters[current.Cluster], cfg.AuthInfos[current.AuthInfo])
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// The secret token the tests put in kubeconfigs: it must never show.
const secretToken = "s3cr3t-t0ken-never-shown"

// A kubeconfig that reaches beyond itself (files, plugins) or turns off TLS
// verification is refused, as Flux refuses or drops it: Ready=False and
// Stalled, with a message naming the setting and not its secret values;
// nothing is applied anywhere.
func TestRefusedKubeConfigs(t *testing.T) {
	tests := []struct {
		name string
		edit func(*clientcmdapi.Cluster, *clientcmdapi.AuthInfo)
		want string
	}{
		{"exec", func(_ *clientcmdapi.Cluster, u *clientcmdapi.AuthInfo) {
			u.Exec = &clientcmdapi.ExecConfig{Command: "/bin/sh", Args: []string{secretToken}, APIVersion: "client.authentication.k8s.io/v1",
				InteractiveMode: clientcmdapi.NeverExecInteractiveMode}
		}, "--insecure-kubeconfig-exec"},
		{"tokenFile", func(_ *clientcmdapi.Cluster, u *clientcmdapi.AuthInfo) {
			u.TokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token"
		}, "(tokenFile)"},
		{"client-certificate", func(_ *clientcmdapi.Cluster, u *clientcmdapi.AuthInfo) {
			u.ClientCertificateData, u.ClientCertificate = nil, "/etc/tide/cert.pem"
		}, "(client-certificate)"},
		{"client-key", func(_ *clientcmdapi.Cluster, u *clientcmdapi.AuthInfo) {
			u.ClientKeyData, u.ClientKey = nil, "/etc/tide/key.pem"
		}, "(client-key)"},
		{"certificate-authority", func(c *clientcmdapi.Cluster, _ *clientcmdapi.AuthInfo) {
			c.CertificateAuthorityData, c.CertificateAuthority = nil, "/etc/tide/ca.pem"
		}, "(certificate-authority)"},
		{"insecure-skip-tls-verify", func(c *clientcmdapi.Cluster, _ *clientcmdapi.AuthInfo) {
			c.CertificateAuthorityData, c.InsecureSkipTLSVerify = nil, true
		}, "--insecure-kubeconfig-tls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			ns := testkit.NewNamespace(t, env.cp.Client)
			kubeconfig := kubeConfigWith(t, func(c *clientcmdapi.Cluster, u *clientcmdapi.AuthInfo) {
				u.Token = secretToken
				tt.edit(c, u)
			})
			create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "kubeconfig", Namespace: ns},
				Data: map[string][]byte{"value": kubeconfig}})
			repo := newSource(t, ns, map[string]string{"web.yaml": configMapYAML("web", "v1")})
			ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
				k.Spec.KubeConfig = &kustomizev1.KubeConfigReference{SecretRef: &meta.SecretKeyReference{Name: "kubeconfig"}}
			})
			testkit.WaitForCondition(t, env.cp.Client, ks, meta.StalledCondition, metav1.ConditionTrue, "")
			msg := waitFailed(t, ks, kustomizev1.ReconciliationFailedReason)
			g.Expect(msg).To(And(ContainSubstring("Secret 'kubeconfig'"), ContainSubstring(tt.want)))
			g.Expect(msg).NotTo(ContainSubstring(secretToken))
			g.Expect(eventMessages(t, ks)).NotTo(ContainElement(ContainSubstring(secretToken)))
			g.Expect(configMap(t, ns, "web")).To(BeNil(), "nothing applied")
		})
	}
}

// spec.kubeConfig.configMapRef (a cloud identity) is not supported: the
// Kustomization stalls saying so, and nothing is applied in the local
// cluster in its place.
func TestKubeConfigMapRefRefused(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"web.yaml": configMapYAML("web", "v1")})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.KubeConfig = &kustomizev1.KubeConfigReference{ConfigMapRef: &meta.LocalObjectReference{Name: "aks"}}
	})
	msg := waitFailed(t, ks, kubeConfigUnsupportedReason)
	g.Expect(msg).To(ContainSubstring("spec.kubeConfig.configMapRef"))
	g.Expect(conditionStatus(t, ks, meta.StalledCondition)).To(Equal(metav1.ConditionTrue))
	g.Expect(configMap(t, ns, "web")).To(BeNil(), "nothing applied in the management cluster")

	deleteAndWait(t, ks)
}

func conditionStatus(t *testing.T, ks *kustomizev1.Kustomization, typ string) metav1.ConditionStatus {
	t.Helper()
	for _, c := range ks.Status.Conditions {
		if c.Type == typ {
			return c.Status
		}
	}
	return metav1.ConditionUnknown
}

// newTestClusters is a Clusters of the test control plane, as the
// controller makes it.
func newTestClusters(t *testing.T, opts KubeConfigOptions) *Clusters {
	t.Helper()
	httpClient, err := rest.HTTPClientFor(env.cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	mapper, err := apiutil.NewDynamicRESTMapper(env.cp.Config, httpClient)
	if err != nil {
		t.Fatal(err)
	}
	return NewClusters(env.cp.Config, httpClient, mapper, env.cp.Scheme, env.cp.Client, "").WithKubeConfigOptions(opts)
}

// whoAmI asks the apiserver who the client is.
func whoAmI(t *testing.T, c client.Client) string {
	t.Helper()
	review := &authenticationv1.SelfSubjectReview{}
	if err := c.Create(context.Background(), review); err != nil {
		t.Fatalf("self subject review: %v", err)
	}
	return review.Status.UserInfo.Username
}

// kubeConfigKustomization is a Kustomization of ns whose kubeconfig is the
// Secret "kubeconfig" (not created: Clusters is used directly).
func kubeConfigKustomization(ns string) *kustomizev1.Kustomization {
	return &kustomizev1.Kustomization{ObjectMeta: metav1.ObjectMeta{Name: "remote", Namespace: ns},
		Spec: kustomizev1.KustomizationSpec{KubeConfig: &kustomizev1.KubeConfigReference{
			SecretRef: &meta.SecretKeyReference{Name: "kubeconfig"}}}}
}

// A cached remote client follows its Secret: a changed kubeconfig gives a
// client with the new identity, in place of the old one; a deleted Secret
// drops it.
func TestRemoteClientFollowsItsSecret(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.cp.Client)
	clusters := newTestClusters(t, KubeConfigOptions{})
	ks := kubeConfigKustomization(ns)
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "kubeconfig", Namespace: ns},
		Data: map[string][]byte{"value": env.cp.KubeConfig}}
	create(t, secret)

	admin, err := clusters.For(ctx, ks)
	g.Expect(err).NotTo(HaveOccurred())
	adminName := whoAmI(t, admin)

	tenant := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "tenant", Namespace: ns}}
	create(t, tenant)
	token := &authenticationv1.TokenRequest{}
	g.Expect(env.cp.Client.SubResource("token").Create(ctx, tenant, token)).To(Succeed())
	secret.Data["value"] = kubeConfigWith(t, func(_ *clientcmdapi.Cluster, u *clientcmdapi.AuthInfo) {
		*u = clientcmdapi.AuthInfo{Token: token.Status.Token}
	})
	g.Expect(env.cp.Client.Update(ctx, secret)).To(Succeed())

	g.Eventually(func() string {
		c, err := clusters.For(ctx, ks)
		g.Expect(err).NotTo(HaveOccurred())
		return whoAmI(t, c)
	}, testkit.Timeout).Should(Equal("system:serviceaccount:"+ns+":tenant"), "the old identity (%s) is not served", adminName)
	g.Expect(clusters.remoteClients()).To(Equal(1), "the old client is replaced, not kept beside")

	g.Expect(env.cp.Client.Delete(ctx, secret)).To(Succeed())
	g.Eventually(func() error { _, err := clusters.For(ctx, ks); return err }, testkit.Timeout).Should(HaveOccurred())
	g.Expect(clusters.remoteClients()).To(BeZero(), "the client of a deleted Secret is dropped")
}

// --insecure-kubeconfig-tls lets a kubeconfig skip TLS verification;
// without it the kubeconfig is refused.
func TestInsecureKubeConfigFlags(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.cp.Client)
	ks := kubeConfigKustomization(ns)
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "kubeconfig", Namespace: ns},
		Data: map[string][]byte{"value": kubeConfigWith(t, func(c *clientcmdapi.Cluster, _ *clientcmdapi.AuthInfo) {
			c.CertificateAuthorityData, c.InsecureSkipTLSVerify = nil, true
		})}})

	_, err := newTestClusters(t, KubeConfigOptions{}).For(ctx, ks)
	var refused *kubeConfigError
	g.Expect(errors.As(err, &refused)).To(BeTrue(), "without the flag: %v", err)
	remote, err := newTestClusters(t, KubeConfigOptions{InsecureTLS: true}).For(ctx, ks)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(whoAmI(t, remote)).NotTo(BeEmpty(), "the insecure kubeconfig reaches the apiserver")
	// --insecure-kubeconfig-exec is tested with the kubeconfig checks, in
	// clusterkit/access.
}
