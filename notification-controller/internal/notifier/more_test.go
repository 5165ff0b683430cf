package notifier

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestRocketPayload(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	post(t, "rocket", Options{URL: a.URL + "/hooks/x", Username: "flux", Channel: "ops"}, testEvent("error"))
	var m map[string]any
	g.Expect(json.Unmarshal([]byte(a.bodies[0]), &m)).To(Succeed())
	g.Expect(m).To(HaveKeyWithValue("icon_emoji", ":rocket:"))
	g.Expect(m).To(HaveKeyWithValue("channel", "ops"))
	att := m["attachments"].([]any)[0].(map[string]any)
	g.Expect(att).To(HaveKeyWithValue("color", "#FF0000"))
	g.Expect(att).To(HaveKeyWithValue("author_name", "web.apps"))
	_, err := New("rocket", Options{URL: a.URL, Channel: "ops"})
	g.Expect(err).To(MatchError(ContainSubstring("username")))
}

func TestGoogleChatPayload(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	e := testEvent("error")
	e.Timestamp = metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	post(t, "googlechat", Options{URL: a.URL + "/v1/spaces/x/messages"}, e)
	g.Expect(a.bodies[0]).To(MatchJSON(`{"cards":[{"header":{"title":"kustomization/web.apps","subtitle":"kustomize-controller","imageUrl":null,"imageStyle":null},
		"sections":[{"header":"","widgets":[{"textParagraph":{"text":"<font color=\"#ff0000\">Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567</font>"},"keyValue":null}]},
		{"header":"","widgets":[
		{"keyValue":{"topLabel":"TIMESTAMP","content":"2026-01-02 03:04:05 +0000 UTC","contentMultiline":false,"bottomLabel":null,"icon":null},"textParagraph":null},
		{"keyValue":{"topLabel":"revision","content":"main@sha1:0123456789abcdef0123456789abcdef01234567","contentMultiline":false,"bottomLabel":null,"icon":null},"textParagraph":null},
		{"keyValue":{"topLabel":"summary","content":"prod","contentMultiline":false,"bottomLabel":null,"icon":null},"textParagraph":null}]}]}]}`))
}

func TestAlertmanagerPayload(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	e := testEvent("error")
	e.Timestamp = metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	post(t, "alertmanager", Options{URL: a.URL + "/api/v2/alerts"}, e)
	g.Expect(a.bodies[0]).To(MatchJSON(`[{"status":"firing","annotations":{"message":"Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567","summary":"prod"},
		"labels":{"alertname":"FluxKustomizationReconciliationSucceeded","severity":"error","reason":"ReconciliationSucceeded",
		"timestamp":"2026-01-02 03:04:05 +0000 UTC","kind":"Kustomization","name":"web","namespace":"apps",
		"reportingcontroller":"kustomize-controller","revision":"main@sha1:0123456789abcdef0123456789abcdef01234567"}}]`))
}

func TestGrafanaAnnotation(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	e := testEvent("info")
	e.Timestamp = metav1.NewTime(time.Unix(1767323045, 0))
	post(t, "grafana", Options{URL: a.URL + "/api/annotations/graphite", Username: "u", Password: "p"}, e)
	g.Expect(a.requests[0].Header.Get("Authorization")).To(Equal("Basic dTpw"))
	g.Expect(a.bodies[0]).To(MatchJSON(`{"when":1767323045,"text":"kustomization/web.apps",
		"tags":["flux","kustomize-controller","revision: main@sha1:0123456789abcdef0123456789abcdef01234567","summary: prod"]}`))
}

func TestGitHubDispatch(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	post(t, "githubdispatch", Options{URL: a.URL + "/org/app", Token: "ghp"}, testEvent("info"))
	g.Expect(a.requests[0].Method).To(Equal(http.MethodPost))
	g.Expect(a.requests[0].URL.Path).To(Equal("/api/v3/repos/org/app/dispatches"))
	g.Expect(a.requests[0].Header.Get("Authorization")).To(Equal("Bearer ghp"))
	var m map[string]any
	g.Expect(json.Unmarshal([]byte(a.bodies[0]), &m)).To(Succeed())
	g.Expect(m).To(HaveKeyWithValue("event_type", "Kustomization/web.apps"))
	g.Expect(m["client_payload"]).To(HaveKeyWithValue("reason", "ReconciliationSucceeded"))
}
