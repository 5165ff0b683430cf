package notifier

import (
	"errors"
	"fmt"
	"strings"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

func init() {
	constructors[notificationv1.ZoomProvider] = newZoom
}

// newZoom posts to a Zoom Team Chat incoming webhook in its rich format
// (?format=full, unless the address pins a format), with the chatbot's
// verification token (the secret's token) as the bare Authorization
// header, as Flux does: the object as the head, the severity as the
// sub-head, the message, then the metadata as fields sorted by key.
func newZoom(o Options) (Notifier, error) {
	u, err := parseURL("Zoom incoming webhook", o.URL)
	if err != nil {
		return nil, err
	}
	if o.Token == "" {
		return nil, errors.New("empty Zoom verification token: set the token key of spec.secretRef to the webhook's verification token")
	}
	q := u.Query()
	if q.Get("format") == "" {
		q.Set("format", "full")
		u.RawQuery = q.Encode()
	}
	target := o
	target.URL = u.String()
	return &jsonPoster{opts: target, payload: zoomMessage,
		auth: func(h map[string][]string) { h["Authorization"] = []string{o.Token} },
	}, nil
}

func zoomMessage(e eventv1.Event) (any, bool) {
	o := e.InvolvedObject
	body := []map[string]any{{"type": "message", "text": e.Message}}
	if len(e.Metadata) > 0 {
		fields := make([]map[string]string, 0, len(e.Metadata))
		for _, k := range sortedKeys(e.Metadata) {
			fields = append(fields, map[string]string{"key": k, "value": e.Metadata[k]})
		}
		body = append(body, map[string]any{"type": "fields", "items": fields})
	}
	return map[string]any{"content": map[string]any{
		"head": map[string]any{
			"text":     fmt.Sprintf("%s/%s.%s", strings.ToLower(o.Kind), o.Name, o.Namespace),
			"sub_head": map[string]string{"text": e.Severity},
		},
		"body": body,
	}}, true
}
