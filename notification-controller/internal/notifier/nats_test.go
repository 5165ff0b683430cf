package notifier

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/natsserver"
)

// receive waits for one message (a publish is asynchronous to the
// subscriber) and fails the test if none comes.
func receive(t *testing.T, msgs <-chan *nats.Msg) *nats.Msg {
	t.Helper()
	select {
	case m := <-msgs:
		return m
	case <-time.After(30 * time.Second):
		t.Fatal("no NATS message within 30s")
		return nil
	}
}

func TestNATSPublishesTheEventToTheChannelSubject(t *testing.T) {
	g := NewWithT(t)
	srv := natsserver.Start(t, natsserver.Options{Username: "flux", Password: "s3cret"})
	msgs := srv.Subscribe(t, "flux.>")
	e := testEvent("info")
	e.Timestamp = metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))

	post(t, "nats", Options{URL: srv.URL, Channel: "flux.events", Username: "flux", Password: "s3cret"}, e)

	m := receive(t, msgs)
	g.Expect(m.Subject).To(Equal("flux.events"))
	g.Expect(m.Header).To(BeEmpty(), "without headers the message is a plain PUB, as Flux sends it")
	want, _ := json.Marshal(e)
	g.Expect(m.Data).To(MatchJSON(want))
	g.Expect(string(m.Data)).To(MatchJSON(`{"involvedObject":{"kind":"Kustomization","namespace":"apps","name":"web"},
		"severity":"info","timestamp":"2026-01-02T03:04:05Z",
		"message":"Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567","reason":"ReconciliationSucceeded",
		"metadata":{"revision":"main@sha1:0123456789abcdef0123456789abcdef01234567","summary":"prod"},
		"reportingController":"kustomize-controller"}`))
}

func TestNATSHeadersAndTLS(t *testing.T) {
	g := NewWithT(t)
	pki := testkit.NewPKI(t)
	cert, err := tls.X509KeyPair(pki.ServerCert, pki.ServerKey)
	g.Expect(err).NotTo(HaveOccurred())
	srv := natsserver.Start(t, natsserver.Options{TLS: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}})
	msgs := srv.Subscribe(t, "flux")

	// certSecretRef's CA is trusted; the secret's headers go with the message.
	post(t, "nats", Options{URL: srv.URL, Channel: "flux", TLS: &tls.Config{RootCAs: pki.Pool},
		Headers: map[string]string{"X-Cluster": "prod-eu"}}, testEvent("error"))
	m := receive(t, msgs)
	g.Expect(m.Header.Get("X-Cluster")).To(Equal("prod-eu"))

	// Without the CA the server's certificate is refused.
	n, err := New("nats", Options{URL: srv.URL, Channel: "flux", TLS: &tls.Config{}})
	g.Expect(err).NotTo(HaveOccurred())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	g.Expect(n.Post(ctx, testEvent("error"))).To(MatchError(ContainSubstring("certificate")))
}

func TestNATSFailuresAreReported(t *testing.T) {
	g := NewWithT(t)
	srv := natsserver.Start(t, natsserver.Options{Username: "flux", Password: "s3cret"})
	msgs := srv.Subscribe(t, "flux")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// A wrong password, and no credentials at all (Flux sends them only
	// when both are set).
	for _, o := range []Options{
		{URL: srv.URL, Channel: "flux", Username: "flux", Password: "wrong"},
		{URL: srv.URL, Channel: "flux", Username: "flux"},
	} {
		n, err := New("nats", o)
		g.Expect(err).NotTo(HaveOccurred())
		err = n.Post(ctx, testEvent("error"))
		g.Expect(err).To(MatchError(ContainSubstring("connect to the NATS server")))
		g.Expect(err.Error()).To(ContainSubstring("uthorization"))
	}
	select {
	case m := <-msgs:
		t.Fatalf("a refused client published %s: %s", m.Subject, m.Data)
	case <-time.After(200 * time.Millisecond):
	}

	// A server that is gone.
	n, err := New("nats", Options{URL: "nats://127.0.0.1:1", Channel: "flux"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(n.Post(ctx, testEvent("error"))).To(MatchError(ContainSubstring("connect to the NATS server")))
}

func TestNATSConfigErrors(t *testing.T) {
	proxy, _ := url.Parse("http://proxy:8080")
	for _, tt := range []struct {
		opts Options
		want string
	}{
		{Options{Channel: "flux"}, "NATS server (address) cannot be empty"},
		{Options{URL: "nats://nats:4222"}, "NATS subject (channel) cannot be empty"},
		{Options{URL: "https://nats:4222", Channel: "flux"}, `invalid NATS server address "https://nats:4222"`},
		{Options{URL: "nats://a:4222, ftp://b", Channel: "flux"}, `invalid NATS server address "ftp://b"`},
		{Options{URL: "nats://nats:4222", Channel: "flux", Proxy: proxy}, "cannot connect through a proxy"},
	} {
		_, err := New("nats", tt.opts)
		NewWithT(t).Expect(err).To(MatchError(ContainSubstring(tt.want)), "%+v", tt.opts)
	}
	for _, ok := range []string{"nats://a:4222", "a:4222", "tls://a:4222,nats://b:4222", "wss://a/nats"} {
		_, err := New("nats", Options{URL: ok, Channel: "flux"})
		NewWithT(t).Expect(err).NotTo(HaveOccurred(), ok)
	}
}
