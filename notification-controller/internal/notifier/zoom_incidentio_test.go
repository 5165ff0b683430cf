package notifier

import (
	"net/http"
	"testing"

	. "github.com/onsi/gomega"
)

func TestZoomRichMessage(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	post(t, "zoom", Options{URL: a.URL + "/inbound/webhook/v1/abc", Token: "zoom-verify"}, testEvent("error"))
	r := a.requests[0]
	g.Expect(r.Method).To(Equal(http.MethodPost))
	g.Expect(r.URL.Path).To(Equal("/inbound/webhook/v1/abc"))
	g.Expect(r.URL.RawQuery).To(Equal("format=full"))
	g.Expect(r.Header.Get("Authorization")).To(Equal("zoom-verify"))
	g.Expect(a.bodies[0]).To(MatchJSON(`{"content":{"head":{"text":"kustomization/web.apps","sub_head":{"text":"error"}},
		"body":[{"type":"message","text":"Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567"},
		{"type":"fields","items":[{"key":"revision","value":"main@sha1:0123456789abcdef0123456789abcdef01234567"},{"key":"summary","value":"prod"}]}]}}`))

	// A format the address pins is kept.
	post(t, "zoom", Options{URL: a.URL + "/hook?format=message", Token: "t"}, testEvent("info"))
	g.Expect(a.requests[1].URL.RawQuery).To(Equal("format=message"))

	_, err := New("zoom", Options{URL: a.URL})
	g.Expect(err).To(MatchError(ContainSubstring("empty Zoom verification token")))
}

func TestIncidentioFiresAndResolves(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	e := testEvent("error")
	e.InvolvedObject.UID = "0f6c2b1e-uid"
	e.Reason = "HealthCheckFailed"
	post(t, "incident.io", Options{URL: a.URL + "/v2/alert_events/http/01ABC", Token: "inc-key"}, e)
	g.Expect(a.requests[0].URL.Path).To(Equal("/v2/alert_events/http/01ABC"))
	g.Expect(a.requests[0].Header.Get("Authorization")).To(Equal("Bearer inc-key"))
	g.Expect(a.bodies[0]).To(MatchJSON(`{"title":"kustomization/web.apps: HealthCheckFailed","status":"firing",
		"deduplication_key":"0f6c2b1e-uid","description":"Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567",
		"metadata":{"revision":"main@sha1:0123456789abcdef0123456789abcdef01234567","summary":"prod","severity":"error",
		"reason":"HealthCheckFailed","reportingController":"kustomize-controller"}}`))

	e.Severity, e.Reason = "info", "ReconciliationSucceeded"
	post(t, "incident.io", Options{URL: a.URL + "/v2/alert_events/http/01ABC", Token: "inc-key"}, e)
	g.Expect(a.bodies[1]).To(ContainSubstring(`"status":"resolved"`))

	// Progressing events are neither a failure nor a recovery: not sent.
	e.Reason = "Progressing"
	post(t, "incident.io", Options{URL: a.URL + "/v2/alert_events/http/01ABC", Token: "inc-key"}, e)
	g.Expect(a.requests).To(HaveLen(2))

	_, err := New("incident.io", Options{URL: a.URL})
	g.Expect(err).To(MatchError(ContainSubstring("empty incident.io API token")))
}
