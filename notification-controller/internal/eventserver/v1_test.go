package eventserver

import (
	"net/http"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	"github.com/tidegitops/tide/testkit"
)

// Alerts and Providers written as v1 (Flux's current version) dispatch as
// v1beta3 ones do: both versions are one stored object.
func TestV1AlertAndProvider(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	sink := newEndpoint(t)
	g.Expect(env.cp.Client.Create(env.ctx, &notificationv1.Provider{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "endpoint"},
		Spec: notificationv1.ProviderSpec{Type: "generic", Address: sink.URL}})).To(Succeed())
	g.Expect(env.cp.Client.Create(env.ctx, &notificationv1.Alert{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "alert"},
		Spec: notificationv1.AlertSpec{ProviderRef: meta.LocalObjectReference{Name: "endpoint"},
			EventSources: []notificationv1.CrossNamespaceObjectReference{{Kind: "Kustomization", Name: "apps"}}}})).To(Succeed())
	url := startServer(t, nil)
	g.Eventually(func() []string {
		_ = post(t, url, eventJSON(t, ns, "v1 objects", ""))
		return sink.messages()
	}, testkit.Timeout).Should(ContainElement("v1 objects"))
	g.Expect(post(t, url, eventJSON(t, ns, "v1 objects", ""))).To(Equal(http.StatusTooManyRequests))
}
