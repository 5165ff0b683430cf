package notifier

import (
	"net/http"
	"net/url"
	"testing"

	. "github.com/onsi/gomega"
)

func TestZulipStreamMessage(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	e := testEvent("error")
	e.Metadata["change_request"] = "42"
	post(t, "zulip", Options{URL: a.URL + "/some/path", Channel: "ops/flux", Username: "bot@zulip", Password: "key"}, e)
	r := a.requests[0]
	g.Expect(r.Method).To(Equal(http.MethodPost))
	g.Expect(r.URL.Path).To(Equal("/api/v1/messages"))
	g.Expect(r.Header.Get("Content-Type")).To(Equal("application/x-www-form-urlencoded"))
	user, pass, ok := r.BasicAuth()
	g.Expect(ok).To(BeTrue())
	g.Expect(user + ":" + pass).To(Equal("bot@zulip:key"))
	form, err := url.ParseQuery(a.bodies[0])
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(form).To(Equal(url.Values{"type": {"stream"}, "to": {"ops"}, "topic": {"flux"},
		"content": {"## Flux Status\n\n⚠️ Kustomization/apps/web\n\nApplied revision: main@sha1:0123456789abcdef0123456789abcdef01234567\n\nMetadata:\n" +
			"* `revision`: main@sha1:0123456789abcdef0123456789abcdef01234567\n* `summary`: prod\n"}}))

	_, err = New("zulip", Options{URL: a.URL, Channel: "ops"})
	g.Expect(err).To(MatchError(ContainSubstring("expected <channel>/<topic>")))
}
