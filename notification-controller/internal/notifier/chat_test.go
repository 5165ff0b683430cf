package notifier

import (
	"net/http"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
)

func TestOpsgeniePayload(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	post(t, "opsgenie", Options{URL: a.URL + "/v2/alerts", Token: "key"}, testEvent("error"))
	g.Expect(a.requests[0].Header.Get("Authorization")).To(Equal("GenieKey key"))
	g.Expect(a.bodies[0]).To(MatchJSON(`{"message":"Kustomization/web","description":"Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567",
		"details":{"revision":"main@sha1:0123456789abcdef0123456789abcdef01234567","summary":"prod","severity":"error"}}`))
}

func TestLarkPayload(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	post(t, "lark", Options{URL: a.URL + "/open-apis/bot/v2/hook/x"}, testEvent("info"))
	g.Expect(a.bodies[0]).To(MatchJSON(`{"msg_type":"interactive","card":{"config":{"wide_screen_mode":true},
		"header":{"title":{"tag":"plain_text","content":"💫 kustomization/web.apps"},"template":"turquoise"},
		"elements":[{"tag":"div","text":{"tag":"lark_md","content":"**Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567**\n\nrevision: main@sha1:0123456789abcdef0123456789abcdef01234567\nsummary: prod\n"}}]}}`))
}

func TestMatrixMessage(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	post(t, "matrix", Options{URL: a.URL, Channel: "!room:example.org", Token: "syt"}, testEvent("error"))
	g.Expect(a.requests[0].Method).To(Equal(http.MethodPut))
	g.Expect(a.requests[0].URL.Path).To(HavePrefix("/_matrix/client/r0/rooms/!room:example.org/send/m.room.message/"))
	g.Expect(a.requests[0].Header.Get("Authorization")).To(Equal("Bearer syt"))
	g.Expect(a.bodies[0]).To(ContainSubstring(`"msgtype":"m.text"`))
	g.Expect(strings.Contains(a.bodies[0], "kustomization/web.apps")).To(BeTrue())
}
