package notifier

import (
	"errors"
	"fmt"
	"strings"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

func init() {
	constructors[notificationv1.TelegramProvider] = newTelegram
}

// TelegramAPI is the Bot API server; Flux ignores spec.address for this
// type and so does Tide. Tests point it at a stand-in.
var TelegramAPI = "https://api.telegram.org"

// newTelegram sends a MarkdownV2 message through the Bot API's sendMessage,
// to the chat of spec.channel ("<chat id>" or "<chat id>:<topic id>"), with
// the bot token of the secret in the path, as Flux does.
func newTelegram(o Options) (Notifier, error) {
	if o.Channel == "" {
		return nil, errors.New("empty Telegram channel: set spec.channel to the chat id")
	}
	if o.Token == "" {
		return nil, errors.New("empty Telegram token: set the token key of spec.secretRef to the bot token")
	}
	target := o
	target.URL = TelegramAPI + "/bot" + o.Token + "/sendMessage"
	// The URL holds the token: no error may quote it.
	target.SecretAddress = true
	chat, thread, hasThread := strings.Cut(o.Channel, ":")
	return &jsonPoster{opts: target, payload: func(e eventv1.Event) (any, bool) {
		m := map[string]string{"chat_id": chat, "text": telegramText(e), "parse_mode": "MarkdownV2"}
		if hasThread {
			m["message_thread_id"] = thread
		}
		return m, true
	}}, nil
}

// telegramText is a bold heading (an emoji, kind/name/namespace), the
// message and one "- *key*: value" line per metadata pair, escaped for
// MarkdownV2.
func telegramText(e eventv1.Event) string {
	emoji := "💫"
	if e.Severity == eventv1.EventSeverityError {
		emoji = "🚨"
	}
	heading := fmt.Sprintf("%s %s/%s/%s", emoji, strings.ToLower(e.InvolvedObject.Kind), e.InvolvedObject.Name, e.InvolvedObject.Namespace)
	var b strings.Builder
	fmt.Fprintf(&b, "*%s*\n%s\n", telegramEscape(heading), telegramEscape(e.Message))
	for _, k := range sortedKeys(e.Metadata) {
		fmt.Fprintf(&b, "\\- *%s*: %s\n", telegramEscape(k), telegramEscape(e.Metadata[k]))
	}
	return b.String()
}

// telegramEscape backslashes the characters MarkdownV2 reserves.
func telegramEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\.-_[]()~>`#+=|{}!*", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
