package notifier

import (
	"errors"
	"fmt"
	"strings"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

func init() {
	constructors[notificationv1.WebexProvider] = newWebex
}

// newWebex posts a Markdown message to the messages API at spec.address
// (https://webexapis.com/v1/messages) for the room of spec.channel, with
// the bot token as Bearer.
func newWebex(o Options) (Notifier, error) {
	if _, err := parseURL("Webex", o.URL); err != nil {
		return nil, err
	}
	if o.Token == "" {
		return nil, errors.New("empty Webex token: set the token key of spec.secretRef to the bot's access token")
	}
	return &jsonPoster{opts: o,
		payload: func(e eventv1.Event) (any, bool) {
			m := map[string]string{"markdown": webexMarkdown(e)}
			if o.Channel != "" {
				m["roomId"] = o.Channel
			}
			return m, true
		},
		auth: func(h map[string][]string) { h["Authorization"] = []string{"Bearer " + o.Token} },
	}, nil
}

// webexMarkdown: an emoji and the bold object, the message, then each
// metadata pair as a quote line.
func webexMarkdown(e eventv1.Event) string {
	emoji := "✅"
	if e.Severity == eventv1.EventSeverityError {
		emoji = "💣"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s **%s/%s.%s**\n%s\n", emoji, strings.ToLower(e.InvolvedObject.Kind), e.InvolvedObject.Name, e.InvolvedObject.Namespace, e.Message)
	for _, k := range sortedKeys(e.Metadata) {
		fmt.Fprintf(&b, ">**%s**: %s\n", k, e.Metadata[k])
	}
	return b.String()
}
