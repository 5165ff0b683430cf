package eventserver

import (
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/testkit"
)

// certSecretRef (CA and client certificate) and proxySecretRef are used for
// the provider's requests; a suspended Provider sends nothing.
func TestProviderTLSProxyAndSuspend(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	pki := testkit.NewPKI(t)
	sink := newEndpoint(t)
	front := testkit.HTTPSFront(t, sink.URL+"/tls", pki, true)
	proxy, forwarded := testkit.StartProxy(t, "proxy-user", "proxy-pass")
	for name, data := range map[string]map[string][]byte{
		"tls":   {"ca.crt": pki.CA, "tls.crt": pki.ClientCert, "tls.key": pki.ClientKey},
		"proxy": {"address": []byte(proxy), "username": []byte("proxy-user"), "password": []byte("proxy-pass")},
	} {
		g.Expect(env.cp.Client.Create(env.ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: data})).To(Succeed())
	}
	alertAndProvider(t, ns, front, func(_ *notificationv1beta3.Alert, p *notificationv1beta3.Provider) {
		p.Spec.CertSecretRef = &meta.LocalObjectReference{Name: "tls"}
	})
	proxied := &notificationv1beta3.Provider{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "proxied"},
		Spec: notificationv1beta3.ProviderSpec{Type: "generic", Address: sink.URL + "/proxied", ProxySecretRef: &meta.LocalObjectReference{Name: "proxy"}}}
	suspended := &notificationv1beta3.Provider{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "suspended"},
		Spec: notificationv1beta3.ProviderSpec{Type: "generic", Address: sink.URL + "/suspended", Suspend: true}}
	for _, p := range []*notificationv1beta3.Provider{proxied, suspended} {
		testkit.CreateAndWait(t, env.cp.Client, env.mgr.GetClient(), p)
		a := &notificationv1beta3.Alert{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: p.Name},
			Spec: notificationv1beta3.AlertSpec{ProviderRef: meta.LocalObjectReference{Name: p.Name},
				EventSources: []notificationv1.CrossNamespaceObjectReference{alertSource("Kustomization")}}}
		testkit.CreateAndWait(t, env.cp.Client, env.mgr.GetClient(), a)
	}
	url := startServer(t, nil)
	g.Expect(post(t, url, eventJSON(t, ns, "over tls and proxy", ""))).To(Equal(202))
	paths := func() []string {
		var out []string
		for _, r := range sink.got() {
			out = append(out, r.Path)
		}
		return out
	}
	g.Eventually(paths, testkit.Timeout).Should(ConsistOf("/tls", "/proxied"))
	g.Expect(forwarded()).To(BeNumerically("==", 1))
	g.Consistently(paths, time.Second).ShouldNot(ContainElement("/suspended"))
}
