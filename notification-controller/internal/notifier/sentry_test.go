package notifier

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tidegitops/tide/testkit"
)

// envelope is one request of the Sentry SDK, split as Sentry's ingest
// splits it: the envelope header, then item headers each followed by its
// payload, one JSON document a line.
type envelope struct {
	header  map[string]any
	items   []map[string]any
	payload []map[string]any
}

func parseEnvelope(t *testing.T, body string) envelope {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		m := map[string]any{}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("envelope line %q: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	if len(lines) < 3 || len(lines)%2 != 1 {
		t.Fatalf("envelope has %d lines, want a header and item pairs:\n%s", len(lines), body)
	}
	e := envelope{header: lines[0]}
	for i := 1; i < len(lines); i += 2 {
		e.items = append(e.items, lines[i])
		e.payload = append(e.payload, lines[i+1])
	}
	return e
}

// sentryDSN points a DSN at the stand-in for Sentry's ingest.
func sentryDSN(a *api) string {
	return strings.Replace(a.URL, "http://", "http://public-key@", 1) + "/42"
}

func sentryEvent(severity string) (eventv1.Event, time.Time) {
	e := testEvent(severity)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	e.Timestamp = metav1.NewTime(at)
	e.ReportingInstance = "kustomize-controller-7d9f"
	return e, at
}

func TestSentryInfoEventIsATransaction(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	e, at := sentryEvent("info")
	post(t, "sentry", Options{URL: sentryDSN(a), Channel: "production", Headers: map[string]string{"X-Org": "team-a"}}, e)

	g.Expect(a.requests).To(HaveLen(1))
	r := a.requests[0]
	g.Expect(r.Method).To(Equal(http.MethodPost))
	g.Expect(r.URL.Path).To(Equal("/api/42/envelope/"))
	g.Expect(r.Header.Get("Content-Type")).To(Equal("application/x-sentry-envelope"))
	g.Expect(r.Header.Get("X-Sentry-Auth")).To(ContainSubstring("sentry_key=public-key"))
	g.Expect(r.Header.Get("X-Org")).To(Equal("team-a"))

	env := parseEnvelope(t, a.bodies[0])
	g.Expect(env.header["dsn"]).To(Equal(sentryDSN(a)))
	g.Expect(env.items).To(HaveLen(1))
	g.Expect(env.items[0]["type"]).To(Equal("transaction"))
	tx := env.payload[0]
	g.Expect(env.header["event_id"]).To(Equal(tx["event_id"]))
	g.Expect(tx["type"]).To(Equal("transaction"))
	g.Expect(tx["transaction"]).To(Equal("Kustomization: apps/web"))
	g.Expect(tx["message"]).To(Equal(e.Message))
	g.Expect(tx["environment"]).To(Equal("production"))
	wantTags := map[string]any{
		"flux_involved_object_kind":      "Kustomization",
		"flux_involved_object_namespace": "apps",
		"flux_involved_object_name":      "web",
		"flux_reporting_controller":      "kustomize-controller",
		"flux_reporting_instance":        "kustomize-controller-7d9f",
		"flux_reason":                    "ReconciliationSucceeded",
		"revision":                       "main@sha1:0123456789abcdef0123456789abcdef01234567",
		"summary":                        "prod",
	}
	g.Expect(tx["tags"]).To(Equal(wantTags))
	g.Expect(parseSentryTime(t, tx["timestamp"])).To(BeTemporally("==", at))
	g.Expect(parseSentryTime(t, tx["start_timestamp"])).To(BeTemporally("==", at))

	trace := tx["contexts"].(map[string]any)["trace"].(map[string]any)
	g.Expect(trace["op"]).To(Equal("event"))
	g.Expect(trace["trace_id"]).To(MatchRegexp("^[0-9a-f]{32}$"))
	spans := tx["spans"].([]any)
	g.Expect(spans).To(HaveLen(1))
	span := spans[0].(map[string]any)
	g.Expect(span["op"]).To(Equal("event"))
	g.Expect(span["trace_id"]).To(Equal(trace["trace_id"]))
	g.Expect(span["span_id"]).To(Equal(trace["span_id"]))
	g.Expect(span["tags"]).To(Equal(wantTags))
}

func TestSentryErrorEventCarriesMetadataAsExtra(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	e, at := sentryEvent("error")
	post(t, "sentry", Options{URL: sentryDSN(a), Channel: "staging"}, e)

	g.Expect(a.requests).To(HaveLen(1))
	env := parseEnvelope(t, a.bodies[0])
	g.Expect(env.items[0]["type"]).To(Equal("event"))
	ev := env.payload[0]
	g.Expect(ev["level"]).To(Equal("error"))
	g.Expect(ev["message"]).To(Equal(e.Message))
	g.Expect(ev["server_name"]).To(Equal("kustomize-controller"))
	g.Expect(ev["transaction"]).To(Equal("Kustomization: apps/web"))
	g.Expect(ev["environment"]).To(Equal("staging"))
	g.Expect(ev["platform"]).To(Equal("go"))
	g.Expect(ev["extra"]).To(Equal(map[string]any{
		"revision": "main@sha1:0123456789abcdef0123456789abcdef01234567",
		"summary":  "prod",
	}))
	g.Expect(ev).NotTo(HaveKey("spans"))
	g.Expect(parseSentryTime(t, ev["timestamp"])).To(BeTemporally("==", at))
}

// Flux queues the event and never hears back; Tide waits for the answer,
// retries a 5xx, and reports a failure without quoting a secret DSN.
func TestSentryFailureIsReported(t *testing.T) {
	g := NewWithT(t)
	oldWait := RetryWaitMin
	RetryWaitMin = 0
	t.Cleanup(func() { RetryWaitMin = oldWait })
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls++
		http.Error(w, "ingest overloaded", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	dsn := strings.Replace(srv.URL, "http://", "http://public-key@", 1) + "/42"
	e, _ := sentryEvent("error")

	n, err := New("sentry", Options{URL: dsn, SecretAddress: true, Timeout: 5 * time.Second})
	g.Expect(err).NotTo(HaveOccurred())
	err = n.Post(context.Background(), e)
	g.Expect(err).To(MatchError("Sentry answered 500: ingest overloaded"))
	g.Expect(calls).To(Equal(retries + 1))

	srv.Close()
	err = n.Post(context.Background(), e)
	g.Expect(err).To(MatchError(HavePrefix("send to Sentry: ")))
	g.Expect(err.Error()).NotTo(ContainSubstring("public-key"))
}

func TestSentryConfigErrors(t *testing.T) {
	g := NewWithT(t)
	_, err := New("sentry", Options{})
	g.Expect(err).To(MatchError(ContainSubstring("the Sentry DSN cannot be empty")))
	_, err = New("sentry", Options{URL: "https://sentry.example.com/1"})
	g.Expect(err).To(MatchError(ContainSubstring("invalid Sentry DSN")))
	_, err = New("sentry", Options{URL: "ftp://key@sentry.example.com/1"})
	g.Expect(err).To(MatchError(ContainSubstring("invalid Sentry DSN")))
}

// parseSentryTime reads the SDK's timestamps (RFC 3339, or seconds since
// the epoch as a float, depending on the field).
func parseSentryTime(t *testing.T, v any) time.Time {
	t.Helper()
	switch x := v.(type) {
	case string:
		at, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			t.Fatal(err)
		}
		return at
	case float64:
		return time.Unix(0, int64(x*1e9)).UTC()
	}
	t.Fatalf("timestamp %v (%T) is neither a string nor a number", v, v)
	return time.Time{}
}

// certSecretRef's CA is trusted for an https DSN, and proxySecretRef's
// proxy carries an http one (Flux reads only the CA for sentry).
func TestSentryTLSAndProxy(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	pki := testkit.NewPKI(t)
	front := testkit.HTTPSFront(t, a.URL, pki, false)
	dsn := strings.Replace(front, "https://", "https://public-key@", 1) + "/42"
	post(t, "sentry", Options{URL: dsn, TLS: &tls.Config{RootCAs: pki.Pool}}, testEvent("error"))
	g.Expect(a.requests).To(HaveLen(1))

	n, err := New("sentry", Options{URL: dsn, Timeout: 5 * time.Second})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(n.Post(context.Background(), testEvent("error"))).To(MatchError(ContainSubstring("certificate")))

	proxyAddr, forwarded := testkit.StartProxy(t, "proxy-user", "proxy-pass")
	proxy, _ := url.Parse(proxyAddr)
	proxy.User = url.UserPassword("proxy-user", "proxy-pass")
	post(t, "sentry", Options{URL: sentryDSN(a), Proxy: proxy}, testEvent("error"))
	g.Expect(forwarded()).To(Equal(int64(1)))
	g.Expect(a.requests).To(HaveLen(2))
}

// The release the SDK finds (it may run git to find it) is looked up once
// per process, not for each event's client.
func TestSentryReleaseLookedUpOnce(t *testing.T) {
	g := NewWithT(t)
	old := sentryRelease.Load()
	t.Cleanup(func() { sentryRelease = releaseCache{value: old} })
	sentryRelease = releaseCache{value: "tide-test-release"}
	a := newAPI(t)
	e, _ := sentryEvent("error")
	post(t, "sentry", Options{URL: sentryDSN(a)}, e)
	g.Expect(parseEnvelope(t, a.bodies[0]).payload[0]["release"]).To(Equal("tide-test-release"))
	sentryRelease.Keep("another")
	g.Expect(sentryRelease.Load()).To(Equal("tide-test-release"))
}
