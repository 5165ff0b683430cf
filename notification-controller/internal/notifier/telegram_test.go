package notifier

import (
	"net/http"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
)

func TestTelegramSendMessage(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	old := TelegramAPI
	TelegramAPI = a.URL
	t.Cleanup(func() { TelegramAPI = old })
	post(t, "telegram", Options{URL: "https://ignored.example", Channel: "-100123:42", Token: "bot-secret"}, testEvent("error"))
	g.Expect(a.requests[0].Method).To(Equal(http.MethodPost))
	g.Expect(a.requests[0].URL.Path).To(Equal("/botbot-secret/sendMessage"))
	g.Expect(a.requests[0].Header.Get("Content-Type")).To(Equal("application/json"))
	g.Expect(a.bodies[0]).To(MatchJSON(`{"chat_id":"-100123","message_thread_id":"42","parse_mode":"MarkdownV2",
		"text":"*🚨 kustomization/web/apps*\nApplied revision: main@sha1:0123456789abcdef0123456789abcdef01234567\n\\- *revision*: main@sha1:0123456789abcdef0123456789abcdef01234567\n\\- *summary*: prod\n"}`))

	_, err := New("telegram", Options{Token: "x"})
	g.Expect(err).To(MatchError(ContainSubstring("channel")))
	_, err = New("telegram", Options{Channel: "1"})
	g.Expect(err).To(MatchError(ContainSubstring("token")))
}

func TestTelegramErrorsHideTheToken(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	a.Close()
	old := TelegramAPI
	TelegramAPI = a.URL
	t.Cleanup(func() { TelegramAPI = old })
	oldWait := RetryWaitMin
	RetryWaitMin = 0
	t.Cleanup(func() { RetryWaitMin = oldWait })
	n, err := New("telegram", Options{Channel: "1", Token: "bot-secret", Timeout: 1e9})
	g.Expect(err).NotTo(HaveOccurred())
	err = n.Post(t.Context(), testEvent("info"))
	g.Expect(err).To(HaveOccurred())
	g.Expect(strings.Contains(err.Error(), "bot-secret")).To(BeFalse(), err.Error())
}
