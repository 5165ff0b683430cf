package ocirepository

import (
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// spec.serviceAccountName lends its imagePullSecrets, as in Flux.
func TestReconcileServiceAccountPullSecrets(t *testing.T) {
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := startRegistry(t, ns)
	push(t, reg, "app:latest", nil, contentLayer(t, map[string]string{"a.yaml": "a: 1\n"}))
	create(t, &corev1.ServiceAccount{
		ObjectMeta:       metav1.ObjectMeta{Name: "puller", Namespace: ns},
		ImagePullSecrets: []corev1.LocalObjectReference{{Name: "creds"}},
	})
	obj := newOCIRepository(ns, reg, "app", func(o *sourcev1.OCIRepository) {
		o.Spec.SecretRef = nil
		o.Spec.ServiceAccountName = "puller"
	})
	create(t, obj)
	waitReady(t, obj)
}

// spec.proxySecretRef sends every request through the proxy, with its
// credentials; a proxy Secret without an address is refused.
func TestReconcileProxy(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := startRegistry(t, ns)
	push(t, reg, "app:latest", nil, contentLayer(t, map[string]string{"a.yaml": "a: 1\n"}))
	addr, proxied := testkit.StartProxy(t, "proxy-user", "proxy-pa55")
	createSecret(t, ns, "proxy", map[string][]byte{
		"address": []byte(addr), "username": []byte("proxy-user"), "password": []byte("proxy-pa55"),
	})
	obj := newOCIRepository(ns, reg, "app", func(o *sourcev1.OCIRepository) {
		o.Spec.ProxySecretRef = &meta.LocalObjectReference{Name: "proxy"}
	})
	create(t, obj)
	waitReady(t, obj)
	g.Expect(proxied()).To(BeNumerically(">", 0))

	updateSecret(t, ns, "proxy", map[string][]byte{"username": []byte("proxy-user"), "password": []byte("proxy-pa55")})
	requestReconcileNoWait(t, obj)
	ready := waitNotReady(t, obj, sourcev1.AuthenticationFailedReason)
	g.Expect(ready.Message).To(ContainSubstring("has no 'address'"))
	g.Expect(ready.Message).NotTo(ContainSubstring("proxy-pa55"))
	g.Expect(obj.Status.Artifact).NotTo(BeNil())
}

// Fixing a referenced Secret reconciles at once (the Secret watch), not at
// the next interval.
func TestReconcileSecretFixApplies(t *testing.T) {
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := startRegistry(t, ns)
	push(t, reg, "app:latest", nil, contentLayer(t, map[string]string{"a.yaml": "a: 1\n"}))
	createSecret(t, ns, "stale", dockerConfigSecret(reg.Host, registryUser, "old-password"))
	obj := newOCIRepository(ns, reg, "app", func(o *sourcev1.OCIRepository) {
		o.Spec.SecretRef = &meta.LocalObjectReference{Name: "stale"}
	})
	create(t, obj)
	ready := waitNotReady(t, obj, sourcev1.OCIPullFailedReason)
	NewWithT(t).Expect(ready.Message).To(ContainSubstring("refused the credentials"))

	updateSecret(t, ns, "stale", dockerConfigSecret(reg.Host, registryUser, registryPassword))
	waitReady(t, obj)
}
