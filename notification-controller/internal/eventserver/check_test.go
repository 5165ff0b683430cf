package eventserver

import (
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/testkit"
)

// A Provider that cannot send is reported when it is created, not only at
// the first event.
func TestProviderCheckWarnsAtOnce(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	for name, spec := range map[string]notificationv1beta3.ProviderSpec{
		"unsupported": {Type: "azureeventhub", Address: "https://example.invalid"},
		"bad-address": {Type: "slack", Address: "hooks.slack.com/services/x"},
		"no-secret":   {Type: "github", Address: "https://github.com/org/repo", SecretRef: &meta.LocalObjectReference{Name: "absent"}},
		"fine":        {Type: "generic", Address: "https://example.invalid/hook"},
	} {
		g.Expect(env.cp.Client.Create(env.ctx, &notificationv1beta3.Provider{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec})).To(Succeed())
	}
	p := func(name string) *notificationv1beta3.Provider {
		return &notificationv1beta3.Provider{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	}
	g.Eventually(warnings(p("unsupported"), "ValidationFailed"), testkit.Timeout).Should(ContainElement(ContainSubstring(`provider type not supported by Tide: "azureeventhub"`)))
	g.Eventually(warnings(p("bad-address"), "ValidationFailed"), testkit.Timeout).Should(ContainElement(ContainSubstring("invalid Slack URL")))
	g.Eventually(warnings(p("no-secret"), "ValidationFailed"), testkit.Timeout).Should(ContainElement(ContainSubstring("failed to get secret '" + ns + "/absent'")))
	g.Consistently(warnings(p("fine"), "ValidationFailed")).Should(BeEmpty())
}
