package notifier

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
	. "github.com/onsi/gomega"
)

// commentServer stands in for a Git service's comment API: it knows one
// user (the token's), lists the comments it holds (a stranger's comment
// carrying the same marker among them), and records every request.
type commentServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string // "METHOD path?query"
	headers  []http.Header
	bodies   []string
	comments []map[string]any
}

// newCommentServer serves the API under apiRoot; userKey and authorKey are
// the JSON names of the user's login and of a comment's author.
func newCommentServer(t *testing.T, apiRoot, userKey, authorKey string) *commentServer {
	s := &commentServer{}
	stranger := map[string]any{"id": 7, "body": "<!-- flux-pr-comment-key:uid-1/Kustomization/apps/web --> <!-- flux-mr-comment-key:uid-1/Kustomization/apps/web -->",
		authorKey: map[string]any{userKey: "someone-else"}}
	s.comments = []map[string]any{stranger}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		b, _ := io.ReadAll(r.Body)
		s.requests = append(s.requests, r.Method+" "+strings.TrimPrefix(r.URL.RequestURI(), apiRoot))
		s.headers = append(s.headers, r.Header.Clone())
		s.bodies = append(s.bodies, string(b))
		var in map[string]string
		_ = json.Unmarshal(b, &in)
		switch {
		case r.URL.Path == apiRoot+"/user":
			_ = json.NewEncoder(w).Encode(map[string]any{userKey: "tide-bot", "id": 1})
		case r.Method == http.MethodGet:
			_ = json.NewEncoder(w).Encode(s.comments)
		case r.Method == http.MethodPost:
			s.comments = append(s.comments, map[string]any{"id": 1234567, "body": in["body"], authorKey: map[string]any{userKey: "tide-bot"}})
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"id":1234567}`))
		default:
			s.comments[len(s.comments)-1]["body"] = in["body"]
			_, _ = w.Write([]byte(`{"id":1234567}`))
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func changeRequestEvent(severity, message string) eventv1.Event {
	e := testEvent(severity)
	e.Message = message
	e.Metadata = map[string]string{"change_request": "42", "revision": "main@sha1:" + testSHA}
	return e
}

// Each change request comment type creates one comment on the first event
// of an object and edits that comment (its own, found by the hidden
// marker, never a stranger's) on the next ones, as Flux's do.
func TestChangeRequestComments(t *testing.T) {
	for _, tc := range []struct {
		typ, apiRoot, userKey, authorKey, marker string
		list, create, edit                       string
		auth                                     [2]string
	}{{
		typ: "githubpullrequestcomment", apiRoot: "/api/v3", userKey: "login", authorKey: "user", marker: "flux-pr-comment-key",
		list:   "GET /repos/org/app/issues/42/comments?sort=created&direction=asc&per_page=100",
		create: "POST /repos/org/app/issues/42/comments", edit: "PATCH /repos/org/app/issues/comments/1234567",
		auth: [2]string{"Authorization", "Bearer s3cret"},
	}, {
		typ: "gitlabmergerequestcomment", apiRoot: "/api/v4", userKey: "username", authorKey: "author", marker: "flux-mr-comment-key",
		list:   "GET /projects/org%2Fapp/merge_requests/42/notes?order_by=created_at&per_page=100&sort=asc",
		create: "POST /projects/org%2Fapp/merge_requests/42/notes", edit: "PUT /projects/org%2Fapp/merge_requests/42/notes/1234567",
		auth: [2]string{"PRIVATE-TOKEN", "s3cret"},
	}, {
		typ: "giteapullrequestcomment", apiRoot: "/api/v1", userKey: "login", authorKey: "user", marker: "flux-pr-comment-key",
		list:   "GET /repos/org/app/issues/42/comments?limit=100&page=1",
		create: "POST /repos/org/app/issues/42/comments", edit: "PATCH /repos/org/app/issues/comments/1234567",
		auth: [2]string{"Authorization", "token s3cret"},
	}} {
		t.Run(tc.typ, func(t *testing.T) {
			g := NewWithT(t)
			s := newCommentServer(t, tc.apiRoot, tc.userKey, tc.authorKey)
			o := Options{URL: s.URL + "/org/app.git", Token: "s3cret", ProviderUID: "uid-1"}

			post(t, tc.typ, o, changeRequestEvent("error", "Health check failed"))
			g.Expect(s.requests).To(Equal([]string{"GET /user", tc.list, tc.create}))
			for _, h := range s.headers {
				g.Expect(h.Get(tc.auth[0])).To(Equal(tc.auth[1]))
			}
			g.Expect(s.headers[2].Get("Content-Type")).To(Equal("application/json"))
			marker := "<!-- " + tc.marker + ":uid-1/Kustomization/apps/web -->"
			g.Expect(s.bodies[2]).To(MatchJSON(mustJSON(map[string]string{"body": marker +
				"\n\n## Flux Status\n\n⚠️ Kustomization/apps/web\n\nHealth check failed\n\nMetadata:\n* `revision`: main@sha1:" + testSHA + "\n"})))

			post(t, tc.typ, o, changeRequestEvent("info", "Applied revision"))
			g.Expect(s.requests).To(HaveLen(6))
			g.Expect(s.requests[3:]).To(Equal([]string{"GET /user", tc.list, tc.edit}))
			g.Expect(s.bodies[5]).To(ContainSubstring(`ℹ️ Kustomization/apps/web\n\nApplied revision`))
			g.Expect(s.comments).To(HaveLen(2), "one comment of Tide's, the stranger's left alone")
			g.Expect(s.comments[0]["body"]).NotTo(ContainSubstring("Applied"))

			// A Provider of another UID keeps a comment of its own.
			o.ProviderUID = "uid-2"
			post(t, tc.typ, o, changeRequestEvent("info", "Applied revision"))
			g.Expect(s.requests[8]).To(Equal(tc.create))
		})
	}
}

func TestChangeRequestCommentRefusals(t *testing.T) {
	g := NewWithT(t)
	o := Options{URL: "https://github.com/org/app", Token: "s3cret", ProviderUID: "uid-1", Timeout: 1}
	n, err := New("githubpullrequestcomment", o)
	g.Expect(err).NotTo(HaveOccurred())
	e := changeRequestEvent("info", "x")
	delete(e.Metadata, "change_request")
	g.Expect(n.Post(t.Context(), e)).To(MatchError(ContainSubstring(`missing "change_request" metadata key`)))
	e.Metadata["change_request"] = "feature-branch"
	g.Expect(n.Post(t.Context(), e)).To(MatchError(ContainSubstring(`invalid "change_request" metadata value "feature-branch"`)))

	for _, typ := range []string{"githubpullrequestcomment", "gitlabmergerequestcomment", "giteapullrequestcomment"} {
		_, err := New(typ, Options{URL: "https://example.com/org/app", ProviderUID: "uid-1"})
		g.Expect(err).To(MatchError(ContainSubstring("need an API token in the token key of spec.secretRef")), typ)
		_, err = New(typ, Options{URL: "https://example.com/app", Token: "s3cret", ProviderUID: "uid-1"})
		g.Expect(err).To(MatchError(ContainSubstring("names no owner/repository")), typ)
	}
	g.Expect(githubAPI("https://github.com")).To(Equal("https://api.github.com"))
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
