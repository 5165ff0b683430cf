package notifier

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
)

// api stands in for a service: it records requests and answers each path
// with the body given (200), or 201 {} for POSTs.
type api struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request
	bodies   []string
	answers  map[string]string
}

func newAPI(t *testing.T) *api {
	a := &api{answers: map[string]string{}}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		a.requests = append(a.requests, r)
		a.bodies = append(a.bodies, string(b))
		answer, ok := a.answers[r.URL.Path]
		a.mu.Unlock()
		if ok {
			_, _ = w.Write([]byte(answer))
			return
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte("{}"))
	}))
	t.Cleanup(a.Close)
	return a
}

func testEvent(severity string) eventv1.Event {
	return eventv1.Event{
		InvolvedObject:      corev1.ObjectReference{Kind: "Kustomization", Namespace: "apps", Name: "web"},
		Severity:            severity,
		Message:             "Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567",
		Reason:              "ReconciliationSucceeded",
		ReportingController: "kustomize-controller",
		Metadata:            map[string]string{"revision": "main@sha1:0123456789abcdef0123456789abcdef01234567", "summary": "prod"},
	}
}

func post(t *testing.T, typ string, o Options, e eventv1.Event) {
	t.Helper()
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	n, err := New(typ, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Post(context.Background(), e); err != nil {
		t.Fatal(err)
	}
}

func TestSlackPayload(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	post(t, "slack", Options{URL: a.URL + "/api/chat.postMessage", Channel: "general", Token: "xoxb-1"}, testEvent("error"))
	g.Expect(a.requests).To(HaveLen(1))
	g.Expect(a.requests[0].Method).To(Equal(http.MethodPost))
	g.Expect(a.requests[0].Header.Get("Authorization")).To(Equal("Bearer xoxb-1"))
	g.Expect(a.bodies[0]).To(MatchJSON(`{"channel":"general","username":"kustomize-controller","icon_url":"","icon_emoji":"",
		"attachments":[{"color":"danger","author_name":"kustomization/web.apps",
		"text":"Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567","mrkdwn_in":["text"],
		"fields":[{"title":"revision","value":"main@sha1:0123456789abcdef0123456789abcdef01234567","short":false},
		{"title":"summary","value":"prod","short":false}]}]}`))

	_, err := New("slack", Options{URL: a.URL, Token: "xoxb-1"})
	g.Expect(err).To(MatchError(ContainSubstring("needs spec.channel")))
}

func TestDiscordPostsToTheSlackEndpoint(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	post(t, "discord", Options{URL: a.URL + "/api/webhooks/1/abc", Username: "flux"}, testEvent("info"))
	g.Expect(a.requests[0].URL.Path).To(Equal("/api/webhooks/1/abc/slack"))
	var m map[string]any
	g.Expect(json.Unmarshal([]byte(a.bodies[0]), &m)).To(Succeed())
	g.Expect(m["username"]).To(Equal("flux"))
	g.Expect(m["attachments"].([]any)[0].(map[string]any)["color"]).To(Equal("good"))
}

func TestMSTeamsAdaptiveCard(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	post(t, "msteams", Options{URL: a.URL + "/workflows/x"}, testEvent("error"))
	g.Expect(a.bodies[0]).To(MatchJSON(`{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive",
		"content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","type":"AdaptiveCard","version":"1.4",
		"msteams":{"width":"Full"},"body":[{"type":"Container","items":[
		{"type":"TextBlock","text":"kustomization/web.apps","size":"large","weight":"bolder","wrap":true},
		{"type":"TextBlock","text":"Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567","wrap":true,"color":"attention"},
		{"type":"FactSet","facts":[{"title":"summary","value":"prod"},{"title":"revision","value":"main@sha1:0123456789abcdef0123456789abcdef01234567"}]}]}]}}]}`))
}

func TestMSTeamsConnectorMessageCard(t *testing.T) {
	g := NewWithT(t)
	n, err := New("msteams", Options{URL: "https://org.webhook.office.com/webhookb2/x"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(n.(*msteams).connector).To(BeTrue())
	b, _ := json.Marshal(messageCard(testEvent("info")))
	g.Expect(string(b)).To(MatchJSON(`{"@type":"MessageCard","@context":"http://schema.org/extensions","themeColor":"0076D7",
		"summary":"kustomization/web.apps","sections":[{"activityTitle":"Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567",
		"activitySubtitle":"kustomization/web.apps","facts":[{"name":"revision","value":"main@sha1:0123456789abcdef0123456789abcdef01234567"},{"name":"summary","value":"prod"}]}]}`))
}

const sha = "0123456789abcdef0123456789abcdef01234567"

func TestGitHubCommitStatus(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	a.answers["/api/v3/repos/org/app/commits/"+sha+"/statuses"] = `[]`
	id := CommitStatusID("4b1d2e3f-1111-2222-3333-444455556666", testEvent("info"))
	g.Expect(id).To(Equal("kustomization/web/4b1d2e3f"))
	post(t, "github", Options{URL: a.URL + "/org/app.git", Token: "ghp", CommitStatus: id}, testEvent("info"))
	g.Expect(a.requests).To(HaveLen(2))
	g.Expect(a.requests[0].Method).To(Equal(http.MethodGet))
	g.Expect(a.requests[1].Method).To(Equal(http.MethodPost))
	g.Expect(a.requests[1].URL.Path).To(Equal("/api/v3/repos/org/app/statuses/" + sha))
	g.Expect(a.requests[1].Header.Get("Authorization")).To(Equal("Bearer ghp"))
	g.Expect(a.bodies[1]).To(MatchJSON(`{"state":"success","context":"kustomization/web/4b1d2e3f","description":"reconciliation succeeded"}`))

	// The same status again is not posted.
	a.answers["/api/v3/repos/org/app/commits/"+sha+"/statuses"] = `[{"context":"kustomization/web/4b1d2e3f","state":"success","description":"reconciliation succeeded"}]`
	post(t, "github", Options{URL: a.URL + "/org/app", Token: "ghp", CommitStatus: id}, testEvent("info"))
	g.Expect(a.requests).To(HaveLen(3))
}

func TestGitLabCommitStatus(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	a.answers["/api/v4/projects/group/sub/app/repository/commits/"+sha+"/statuses"] = `[]`
	e := testEvent("error")
	e.Reason = "HealthCheckFailed"
	post(t, "gitlab", Options{URL: a.URL + "/group/sub/app", Token: "glpat", CommitStatus: "kustomization/web/abc"}, e)
	g.Expect(a.requests).To(HaveLen(2))
	g.Expect(a.requests[1].URL.EscapedPath()).To(Equal("/api/v4/projects/group%2Fsub%2Fapp/statuses/" + sha))
	g.Expect(a.requests[1].Header.Get("PRIVATE-TOKEN")).To(Equal("glpat"))
	g.Expect(a.bodies[1]).To(MatchJSON(`{"state":"failed","name":"kustomization/web/abc","description":"health check failed"}`))
}

func TestGiteaCommitStatus(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	a.answers["/api/v1/repos/org/app/commits/"+sha+"/statuses"] = `[]`
	post(t, "gitea", Options{URL: a.URL + "/org/app", Token: "gt", CommitStatus: "kustomization/web/abc"}, testEvent("info"))
	g.Expect(a.requests[1].URL.Path).To(Equal("/api/v1/repos/org/app/statuses/" + sha))
	g.Expect(a.requests[1].Header.Get("Authorization")).To(Equal("token gt"))
	g.Expect(a.bodies[1]).To(MatchJSON(`{"state":"success","context":"kustomization/web/abc","description":"reconciliation succeeded","target_url":""}`))
}

func TestGitTypesSkipProgressAndNeedARevision(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	n, err := New("github", Options{URL: a.URL + "/org/app", Token: "t", CommitStatus: "x", Timeout: time.Second})
	g.Expect(err).NotTo(HaveOccurred())
	e := testEvent("info")
	e.Reason = "Progressing"
	g.Expect(n.Post(context.Background(), e)).To(Succeed())
	g.Expect(a.requests).To(BeEmpty())
	e = testEvent("info")
	e.Metadata = nil
	g.Expect(n.Post(context.Background(), e)).To(MatchError(ContainSubstring("no revision")))
	_, err = New("github", Options{URL: a.URL + "/org/app", CommitStatus: "x"})
	g.Expect(err).To(MatchError(ContainSubstring("need an API token")))
}

func TestCommitOfRevisions(t *testing.T) {
	g := NewWithT(t)
	for _, rev := range []string{"main@sha1:" + sha, "sha1:" + sha, "main/" + sha, sha, "refs/tags/v1@sha1:" + sha} {
		got, err := commitOf(rev)
		g.Expect(err).NotTo(HaveOccurred(), rev)
		g.Expect(got).To(Equal(sha))
	}
	_, err := commitOf("latest@sha256:abc")
	g.Expect(err).To(HaveOccurred())
	g.Expect(splitCamelCase("HTTPErrorRetried2")).To(Equal([]string{"HTTP", "Error", "Retried", "2"}))
}
