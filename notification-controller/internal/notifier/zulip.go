package notifier

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

func init() {
	constructors[notificationv1.ZulipProvider] = newZulip
}

// zulip posts a stream message, form-encoded, to /api/v1/messages of the
// server of spec.address, in the channel and topic of spec.channel
// ("<channel>/<topic>"), as the bot of the secret's username and password
// (Basic), as Flux does.
type zulip struct {
	opts           Options
	channel, topic string
}

func newZulip(o Options) (Notifier, error) {
	u, err := parseURL("Zulip", o.URL)
	if err != nil {
		return nil, err
	}
	channel, topic, ok := strings.Cut(o.Channel, "/")
	if !ok || channel == "" || topic == "" {
		return nil, fmt.Errorf("invalid Zulip channel format, expected <channel>/<topic>, got '%s'", o.Channel)
	}
	target := o
	target.URL = u.Scheme + "://" + u.Host + "/api/v1/messages"
	return &zulip{opts: target, channel: channel, topic: topic}, nil
}

func (z *zulip) Post(ctx context.Context, e eventv1.Event) error {
	form := url.Values{"type": {"stream"}, "to": {z.channel}, "topic": {z.topic}, "content": {markdownPost(e)}}
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	if z.opts.Username != "" || z.opts.Password != "" {
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(z.opts.Username+":"+z.opts.Password)))
	}
	_, err := do(ctx, z.opts, request{method: http.MethodPost, url: z.opts.URL, body: []byte(form.Encode()), header: h})
	return err
}

// markdownPost is Flux's Markdown rendering of an event: a heading, an
// emoji with Kind/namespace/name, the message and the metadata sorted, one
// bullet each (the change request key left out).
func markdownPost(e eventv1.Event) string {
	emoji := "ℹ️"
	if e.Severity == eventv1.EventSeverityError {
		emoji = "⚠️"
	}
	var meta strings.Builder
	for _, k := range sortedKeys(e.Metadata) {
		if k == eventv1.MetaChangeRequestKey {
			continue
		}
		fmt.Fprintf(&meta, "* `%s`: %s\n", k, e.Metadata[k])
	}
	return fmt.Sprintf("## Flux Status\n\n%s %s/%s/%s\n\n%s\n\nMetadata:\n%s", emoji,
		e.InvolvedObject.Kind, e.InvolvedObject.Namespace, e.InvolvedObject.Name, e.Message, meta.String())
}
