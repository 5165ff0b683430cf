package notifier

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	. "github.com/onsi/gomega"
)

func TestMastodonStatus(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	post(t, "mastodon", Options{URL: a.URL, Token: "masto", EventKey: "k-123"}, testEvent("error"))
	r := a.requests[0]
	g.Expect(r.URL.Path).To(Equal("/api/v1/statuses"))
	g.Expect(r.Header.Get("Authorization")).To(Equal("Bearer masto"))
	g.Expect(r.Header.Get("Idempotency-Key")).To(Equal("k-123"))
	g.Expect(a.bodies[0]).To(MatchJSON(`{"status":"🚨 kustomization/web.apps\nApplied revision: main@sha1:0123456789abcdef0123456789abcdef01234567\n\nrevision: main@sha1:0123456789abcdef0123456789abcdef01234567\nsummary: prod"}`))

	// An address with the path is kept as written; a long status is cut to
	// 500 characters.
	e := testEvent("info")
	e.Message = strings.Repeat("é", 600)
	post(t, "mastodon", Options{URL: a.URL + "/api/v1/statuses/", Token: "masto"}, e)
	g.Expect(a.requests[1].URL.Path).To(Equal("/api/v1/statuses/"))
	g.Expect(a.requests[1].Header.Get("Idempotency-Key")).To(BeEmpty())
	var body map[string]string
	g.Expect(json.Unmarshal([]byte(a.bodies[1]), &body)).To(Succeed())
	g.Expect(utf8.RuneCountInString(body["status"])).To(Equal(500))
	g.Expect(body["status"]).To(HavePrefix("💫 kustomization/web.apps\n"))
	g.Expect(body["status"]).To(HaveSuffix("é…"))

	_, err := New("mastodon", Options{URL: a.URL})
	g.Expect(err).To(MatchError(ContainSubstring("empty Mastodon access token")))
}
