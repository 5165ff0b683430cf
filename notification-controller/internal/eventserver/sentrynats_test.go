package eventserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/notification-controller/internal/event"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/natsserver"
)

// A sentry Provider (DSN in the secret's address, environment from the
// channel) and a nats Provider (subject from the channel, user and password
// from the secret) get an event through their Alerts, with the metadata
// Flux forwards (group prefix removed).
func TestSentryAndNATSProviders(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	sentryIngest := newEndpoint(t)
	dsn := strings.Replace(sentryIngest.URL, "http://", "http://public-key@", 1) + "/7"
	nats := natsserver.Start(t, natsserver.Options{Username: "flux", Password: "nats-pass"})
	msgs := nats.Subscribe(t, "flux.events")
	for name, data := range map[string]map[string]string{
		"sentry-dsn": {"address": dsn},
		"nats-auth":  {"username": "flux", "password": "nats-pass"},
	} {
		g.Expect(env.cp.Client.Create(env.ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			StringData: data})).To(Succeed())
	}
	for _, p := range []*notificationv1beta3.Provider{
		{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "sentry"}, Spec: notificationv1beta3.ProviderSpec{
			Type: "sentry", Channel: "production", SecretRef: &meta.LocalObjectReference{Name: "sentry-dsn"}}},
		{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "nats"}, Spec: notificationv1beta3.ProviderSpec{
			Type: "nats", Address: nats.URL, Channel: "flux.events", SecretRef: &meta.LocalObjectReference{Name: "nats-auth"}}},
	} {
		testkit.CreateAndWait(t, env.cp.Client, env.mgr.GetClient(), p)
		a := &notificationv1beta3.Alert{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: p.Name},
			Spec: notificationv1beta3.AlertSpec{ProviderRef: meta.LocalObjectReference{Name: p.Name},
				EventSources: []notificationv1.CrossNamespaceObjectReference{alertSource("Kustomization")}}}
		testkit.CreateAndWait(t, env.cp.Client, env.mgr.GetClient(), a)
		// Both types are Tide's now: no ValidationFailed warning.
		g.Consistently(warnings(p, "ValidationFailed"), 2*time.Second).Should(BeEmpty())
	}

	url := startServer(t, nil)
	revision := "main@sha1:0123456789abcdef0123456789abcdef01234567"
	g.Expect(post(t, url, eventJSON(t, ns, "applied", revision))).To(Equal(http.StatusAccepted))

	select {
	case m := <-msgs:
		var ev map[string]any
		g.Expect(json.Unmarshal(m.Data, &ev)).To(Succeed())
		g.Expect(ev["message"]).To(Equal("applied"))
		g.Expect(ev["metadata"]).To(Equal(map[string]any{"revision": revision}))
	case <-time.After(testkit.Timeout):
		t.Fatal("no NATS message")
	}
	g.Eventually(sentryIngest.got, testkit.Timeout).Should(HaveLen(1))
	r := sentryIngest.got()[0]
	g.Expect(r.Path).To(Equal("/api/7/envelope/"))
	lines := strings.Split(strings.TrimSpace(string(r.Body)), "\n")
	g.Expect(lines).To(HaveLen(3))
	g.Expect(lines[1]).To(ContainSubstring(`"type":"transaction"`))
	var tx map[string]any
	g.Expect(json.Unmarshal([]byte(lines[2]), &tx)).To(Succeed())
	g.Expect(tx["environment"]).To(Equal("production"))
	g.Expect(tx["message"]).To(Equal("applied"))
	g.Expect(tx["tags"]).To(HaveKeyWithValue("revision", revision))
}

// A mastodon Provider gets the event server's key of the incoming event (the
// rate limiter's) as Idempotency-Key, as Flux sends it.
func TestMastodonIdempotencyKeyIsTheEventKey(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	sink := newEndpoint(t)
	g.Expect(env.cp.Client.Create(env.ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "masto"},
		StringData: map[string]string{"token": "masto-token"}})).To(Succeed())
	// mastodon is a type of Flux's v1 Provider only.
	p := &notificationv1.Provider{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "masto"},
		Spec: notificationv1.ProviderSpec{Type: "mastodon", Address: sink.URL, SecretRef: &meta.LocalObjectReference{Name: "masto"}}}
	testkit.CreateAndWait(t, env.cp.Client, env.mgr.GetClient(), p)
	testkit.CreateAndWait(t, env.cp.Client, env.mgr.GetClient(), &notificationv1.Alert{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "masto"},
		Spec: notificationv1.AlertSpec{ProviderRef: meta.LocalObjectReference{Name: "masto"},
			EventSources: []notificationv1.CrossNamespaceObjectReference{alertSource("Kustomization")}}})
	url := startServer(t, nil)
	body := eventJSON(t, ns, "applied", "main@sha1:0123456789abcdef0123456789abcdef01234567")
	g.Expect(post(t, url, body)).To(Equal(http.StatusAccepted))
	g.Eventually(sink.got, testkit.Timeout).Should(HaveLen(1))
	var e eventv1.Event
	g.Expect(json.Unmarshal(body, &e)).To(Succeed())
	r := sink.got()[0]
	g.Expect(r.Path).To(Equal("/api/v1/statuses"))
	g.Expect(r.Header.Get("Authorization")).To(Equal("Bearer masto-token"))
	g.Expect(r.Header.Get("Idempotency-Key")).To(Equal(event.Key(&e)))
}
