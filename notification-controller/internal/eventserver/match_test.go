package eventserver

import (
	"net/http"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/testkit"
)

func TestAlertsFilterEvents(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	other := testkit.NewNamespace(t, env.cp.Client)
	errorsOnly, filtered, labelled, suspended := newEndpoint(t), newEndpoint(t), newEndpoint(t), newEndpoint(t)
	alert := func(name string, sink *endpoint, spec notificationv1beta3.AlertSpec) {
		p := &notificationv1beta3.Provider{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: notificationv1beta3.ProviderSpec{Type: "generic", Address: sink.URL}}
		spec.ProviderRef = meta.LocalObjectReference{Name: name}
		a := &notificationv1beta3.Alert{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
		testkit.CreateAndWait(t, env.cp.Client, env.mgr.GetClient(), p)
		testkit.CreateAndWait(t, env.cp.Client, env.mgr.GetClient(), a)
	}
	alert("errors-only", errorsOnly, notificationv1beta3.AlertSpec{EventSeverity: "error",
		EventSources: []notificationv1.CrossNamespaceObjectReference{{Kind: "Kustomization", Name: "apps"}}})
	alert("filtered", filtered, notificationv1beta3.AlertSpec{EventSeverity: "info",
		InclusionList: []string{"^applied", "^deleted"}, ExclusionList: []string{"secret", "(unclosed"},
		EventSources: []notificationv1.CrossNamespaceObjectReference{{Kind: "Kustomization", Name: "*", Namespace: other}}})
	alert("labelled", labelled, notificationv1beta3.AlertSpec{EventSeverity: "info",
		EventSources: []notificationv1.CrossNamespaceObjectReference{{Kind: "Kustomization", Name: "*", MatchLabels: map[string]string{"team": "blue"}}}})
	alert("suspended", suspended, notificationv1beta3.AlertSpec{EventSeverity: "info", Suspend: true,
		EventSources: []notificationv1.CrossNamespaceObjectReference{{Kind: "Kustomization", Name: "*"}}})
	for name, lbls := range map[string]map[string]string{"blue": {"team": "blue"}, "red": {"team": "red"}} {
		k := &kustomizev1.Kustomization{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: lbls},
			Spec: kustomizev1.KustomizationSpec{Interval: metav1.Duration{Duration: time.Minute}, Prune: true,
				SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: "GitRepository", Name: "repo"}}}
		g.Expect(env.cp.Client.Create(env.ctx, k)).To(Succeed())
	}
	url := startServer(t, nil)
	r := recorder(t, url)
	send := func(namespace, name, eventType, msg string) {
		r.Eventf(kustomization(namespace, name, nil), nil, eventType, "Reason", "Reconcile", "%s", msg)
	}
	send(ns, "apps", corev1.EventTypeNormal, "info about apps")
	send(ns, "apps", corev1.EventTypeWarning, "error about apps")
	send(ns, "web", corev1.EventTypeWarning, "error about web")
	send(other, "apps", corev1.EventTypeNormal, "applied in other")
	send(other, "apps", corev1.EventTypeNormal, "applied a secret")
	send(other, "apps", corev1.EventTypeNormal, "built in other")
	send(ns, "apps", corev1.EventTypeNormal, "deleted in the alert's namespace")
	send(ns, "blue", corev1.EventTypeNormal, "blue event")
	send(ns, "red", corev1.EventTypeNormal, "red event")
	send(ns, "missing", corev1.EventTypeNormal, "event of a missing object")

	g.Eventually(errorsOnly.messages, testkit.Timeout).Should(ConsistOf("error about apps"))
	g.Eventually(filtered.messages, testkit.Timeout).Should(ConsistOf("applied in other"), "exclusion wins over inclusion")
	g.Eventually(labelled.messages, testkit.Timeout).Should(ConsistOf("blue event"))
	g.Consistently(suspended.messages, time.Second).Should(BeEmpty())
	a := &notificationv1beta3.Alert{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "filtered"}}
	g.Eventually(warnings(a, "InvalidConfig"), testkit.Timeout).Should(ContainElement("failed to compile exclusion regex: (unclosed"))
	l := &notificationv1beta3.Alert{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "labelled"}}
	g.Eventually(warnings(l, "SourceFetchFailed"), testkit.Timeout).Should(ContainElement(ContainSubstring("Kustomization/" + ns + "/missing")))
}

func TestCrossNamespaceEventsRefusedWhenBlocked(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	other := testkit.NewNamespace(t, env.cp.Client)
	sink := newEndpoint(t)
	a := alertAndProvider(t, ns, sink.URL, func(a *notificationv1beta3.Alert, _ *notificationv1beta3.Provider) {
		a.Spec.EventSources = []notificationv1.CrossNamespaceObjectReference{{Kind: "Kustomization", Name: "*", Namespace: other}}
	})
	url := startServer(t, func(s *Server) { s.NoCrossNamespaceRefs = true })
	recorder(t, url).Eventf(kustomization(other, "apps", nil), nil, corev1.EventTypeNormal, "Reason", "Reconcile", "from elsewhere")
	g.Eventually(warnings(a, "NotificationDispatchFailed"), testkit.Timeout).Should(ContainElement(ContainSubstring("cross-namespace references have been blocked")))
	g.Consistently(sink.got, time.Second).Should(BeEmpty())
}

func TestAlertWithMissingProviderWarns(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	a := &notificationv1beta3.Alert{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "alert"},
		Spec: notificationv1beta3.AlertSpec{ProviderRef: meta.LocalObjectReference{Name: "nowhere"},
			EventSources: []notificationv1.CrossNamespaceObjectReference{{Kind: "Kustomization", Name: "*"}}}}
	testkit.CreateAndWait(t, env.cp.Client, env.mgr.GetClient(), a)
	url := startServer(t, nil)
	g.Expect(post(t, url, eventJSON(t, ns, "hello", ""))).To(Equal(http.StatusAccepted))
	g.Eventually(warnings(a, "NotificationDispatchFailed"), testkit.Timeout).Should(ContainElement(
		ContainSubstring("failed to read provider '" + ns + "/nowhere'")))
}

func TestProviderFailuresAreRetriedThenReported(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	sink := newEndpoint(t)
	sink.setStatus(http.StatusInternalServerError)
	token := "tok-3f9a"
	g.Expect(env.cp.Client.Create(env.ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "cred"},
		StringData: map[string]string{"token": token}})).To(Succeed())
	a := alertAndProvider(t, ns, sink.URL+"/"+token, func(_ *notificationv1beta3.Alert, p *notificationv1beta3.Provider) {
		p.Spec.Type = "generic-hmac"
		p.Spec.SecretRef = &meta.LocalObjectReference{Name: "cred"}
	})
	url := startServer(t, nil)
	start := time.Now()
	g.Expect(post(t, url, eventJSON(t, ns, "failing", ""))).To(Equal(http.StatusAccepted))
	g.Expect(time.Since(start)).To(BeNumerically("<", 2*time.Second), "the answer does not wait for the provider")
	g.Eventually(warnings(a, "NotificationDispatchFailed"), testkit.Timeout).Should(ContainElement(SatisfyAll(
		ContainSubstring("answered 500"), Not(ContainSubstring(token)))))
	g.Expect(sink.got()).To(HaveLen(5), "the first try and 4 retries")
}

func TestInvalidProviderAddressWarns(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	a := alertAndProvider(t, ns, "not a url", nil)
	url := startServer(t, nil)
	g.Expect(post(t, url, eventJSON(t, ns, "hello", ""))).To(Equal(http.StatusAccepted))
	g.Eventually(warnings(a, "NotificationDispatchFailed"), testkit.Timeout).Should(ContainElement(ContainSubstring(`invalid generic URL "not a url"`)))
}

func TestUnsupportedProviderTypeWarns(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	a := alertAndProvider(t, ns, "https://example.invalid", func(_ *notificationv1beta3.Alert, p *notificationv1beta3.Provider) {
		p.Spec.Type = "googlepubsub"
	})
	url := startServer(t, nil)
	g.Expect(post(t, url, eventJSON(t, ns, "hello", ""))).To(Equal(http.StatusAccepted))
	g.Eventually(warnings(a, "NotificationDispatchFailed"), testkit.Timeout).Should(ContainElement(ContainSubstring(`provider type not supported by Tide: "googlepubsub"`)))
}

func TestMissingSecretWarns(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	a := alertAndProvider(t, ns, "https://example.invalid", func(_ *notificationv1beta3.Alert, p *notificationv1beta3.Provider) {
		p.Spec.SecretRef = &meta.LocalObjectReference{Name: "absent"}
	})
	url := startServer(t, nil)
	g.Expect(post(t, url, eventJSON(t, ns, "hello", ""))).To(Equal(http.StatusAccepted))
	g.Eventually(warnings(a, "NotificationDispatchFailed"), testkit.Timeout).Should(ContainElement(ContainSubstring("failed to get secret '" + ns + "/absent'")))
}
