package notifier

import (
	"net/http"
	"testing"

	. "github.com/onsi/gomega"
)

func TestWebexMessage(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	post(t, "webex", Options{URL: a.URL + "/v1/messages", Channel: "room-1", Token: "bot"}, testEvent("error"))
	g.Expect(a.requests[0].Method).To(Equal(http.MethodPost))
	g.Expect(a.requests[0].URL.Path).To(Equal("/v1/messages"))
	g.Expect(a.requests[0].Header.Get("Authorization")).To(Equal("Bearer bot"))
	g.Expect(a.requests[0].Header.Get("Content-Type")).To(Equal("application/json"))
	g.Expect(a.bodies[0]).To(MatchJSON(`{"roomId":"room-1","markdown":"💣 **kustomization/web.apps**\nApplied revision: main@sha1:0123456789abcdef0123456789abcdef01234567\n>**revision**: main@sha1:0123456789abcdef0123456789abcdef01234567\n>**summary**: prod\n"}`))

	_, err := New("webex", Options{URL: a.URL, Channel: "room-1"})
	g.Expect(err).To(MatchError(ContainSubstring("token")))
}
