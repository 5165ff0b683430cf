package notifier

import (
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPagerDutyTriggersOnErrorAndResolvesWithAChangeOnInfo(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	e := testEvent("error")
	e.InvolvedObject.UID = "uid-1"
	e.Timestamp = metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	post(t, "pagerduty", Options{URL: a.URL + "/ignored/path", Channel: "rk"}, e)
	g.Expect(a.requests).To(HaveLen(1))
	g.Expect(a.requests[0].Method).To(Equal(http.MethodPost))
	g.Expect(a.requests[0].URL.Path).To(Equal("/v2/enqueue"))
	g.Expect(a.bodies[0]).To(MatchJSON(`{"routing_key":"rk","event_action":"trigger","dedup_key":"uid-1",
		"payload":{"summary":"reconciliation succeeded: kustomization/web","source":"Flux kustomize-controller",
		"severity":"error","timestamp":"2026-01-02T03:04:05Z","component":"web","group":"Kustomization",
		"custom_details":{"message":"Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567",
		"metadata":{"revision":"main@sha1:0123456789abcdef0123456789abcdef01234567","summary":"prod"}}}}`))

	e.Severity = "info"
	post(t, "pagerduty", Options{URL: a.URL, Channel: "rk"}, e)
	g.Expect(a.requests).To(HaveLen(3))
	g.Expect(a.bodies[1]).To(MatchJSON(`{"routing_key":"rk","event_action":"resolve","dedup_key":"uid-1"}`))
	g.Expect(a.requests[2].URL.Path).To(Equal("/v2/change/enqueue"))
	g.Expect(a.bodies[2]).To(MatchJSON(`{"routing_key":"rk","links":null,"payload":{
		"summary":"reconciliation succeeded: kustomization/web","source":"Flux kustomize-controller","timestamp":"2026-01-02T03:04:05Z",
		"custom_details":{"message":"Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567",
		"metadata":{"revision":"main@sha1:0123456789abcdef0123456789abcdef01234567","summary":"prod"}}}}`))

	e.Reason = "Progressing"
	post(t, "pagerduty", Options{URL: a.URL, Channel: "rk"}, e)
	g.Expect(a.requests).To(HaveLen(3))

	_, err := New("pagerduty", Options{URL: "not a url"})
	g.Expect(err).To(MatchError(ContainSubstring("invalid PagerDuty URL")))
}
