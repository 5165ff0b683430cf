package eventserver

import (
	"net/http"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/testkit"
)

// A webhook URL from a Secret is a credential: no event quotes it, whether
// the service fails or the URL is malformed.
func TestSecretAddressNeverQuoted(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	sink := newEndpoint(t)
	sink.setStatus(http.StatusInternalServerError)
	for name, address := range map[string]string{
		"failing":   sink.URL + "/services/T0/B0/hookSECRET1",
		"malformed": "hooks.example.com/services/hookSECRET2",
	} {
		g.Expect(env.cp.Client.Create(env.ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			StringData: map[string]string{"address": address}})).To(Succeed())
	}
	failing := alertAndProvider(t, ns, "", func(a *notificationv1beta3.Alert, p *notificationv1beta3.Provider) {
		p.Spec.Type = "slack"
		p.Spec.SecretRef = &meta.LocalObjectReference{Name: "failing"}
	})
	malformed := &notificationv1beta3.Provider{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "malformed"},
		Spec: notificationv1beta3.ProviderSpec{Type: "slack", SecretRef: &meta.LocalObjectReference{Name: "malformed"}}}
	testkit.CreateAndWait(t, env.cp.Client, env.mgr.GetClient(), malformed)
	url := startServer(t, nil)
	g.Expect(post(t, url, eventJSON(t, ns, "hello", ""))).To(Equal(http.StatusAccepted))
	g.Eventually(warnings(failing, "NotificationDispatchFailed"), testkit.Timeout).Should(ContainElement(SatisfyAll(
		ContainSubstring("answered 500"), Not(ContainSubstring("hookSECRET1")))))
	g.Eventually(warnings(malformed, "ValidationFailed"), testkit.Timeout).Should(ContainElement(SatisfyAll(
		ContainSubstring("invalid Slack URL"), Not(ContainSubstring("hookSECRET2")))))
}
