package notifier

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

func init() {
	constructors[notificationv1.OpsgenieProvider] = newOpsgenie
	constructors[notificationv1.LarkProvider] = newLark
	constructors[notificationv1.MatrixProvider] = newMatrix
}

// newOpsgenie creates an alert: Kind/name as message, the event's message
// as description, the metadata and severity as details; the token is the
// API key (GenieKey).
func newOpsgenie(o Options) (Notifier, error) {
	if _, err := parseURL("Opsgenie", o.URL); err != nil {
		return nil, err
	}
	if o.Token == "" {
		return nil, errors.New("empty Opsgenie apikey/token: set the token key of spec.secretRef")
	}
	return &jsonPoster{opts: o,
		payload: func(e eventv1.Event) (any, bool) {
			details := map[string]string{}
			for k, v := range e.Metadata {
				details[k] = v
			}
			details["severity"] = e.Severity
			return map[string]any{
				"message":     e.InvolvedObject.Kind + "/" + e.InvolvedObject.Name,
				"description": e.Message,
				"details":     details,
			}, true
		},
		auth: func(h map[string][]string) { h["Authorization"] = []string{"GenieKey " + o.Token} },
	}, nil
}

// newLark posts an interactive card: the object with an emoji as title
// (red on error), the message in bold and the metadata below.
func newLark(o Options) (Notifier, error) {
	if _, err := parseURL("Lark", o.URL); err != nil {
		return nil, err
	}
	return &jsonPoster{opts: o, payload: func(e eventv1.Event) (any, bool) {
		emoji, color := "💫", "turquoise"
		if e.Severity == eventv1.EventSeverityError {
			emoji, color = "🚨", "red"
		}
		text := fmt.Sprintf("**%s**\n\n", e.Message)
		for _, k := range sortedKeys(e.Metadata) {
			text += fmt.Sprintf("%s: %s\n", k, e.Metadata[k])
		}
		return map[string]any{
			"msg_type": "interactive",
			"card": map[string]any{
				"config": map[string]bool{"wide_screen_mode": true},
				"header": map[string]any{
					"title":    map[string]string{"tag": "plain_text", "content": emoji + " " + objectName(e)},
					"template": color,
				},
				"elements": []map[string]any{{"tag": "div", "text": map[string]string{"tag": "lark_md", "content": text}}},
			},
		}, true
	}}, nil
}

// matrix sends an m.text message to the room spec.channel of the
// homeserver at the address, with the token as Bearer; the transaction id
// is the SHA-1 of the event, so a retried event is not posted twice.
type matrix struct {
	opts Options
}

func newMatrix(o Options) (Notifier, error) {
	if _, err := parseURL("Matrix homeserver", o.URL); err != nil {
		return nil, err
	}
	return &matrix{opts: o}, nil
}

func (m *matrix) Post(ctx context.Context, e eventv1.Event) error {
	raw, err := json.Marshal(e)
	if err != nil {
		return err
	}
	sum := sha1.Sum(raw)
	emoji := "💫"
	if e.Severity == eventv1.EventSeverityError {
		emoji = "🚨"
	}
	var metadata strings.Builder
	for _, k := range sortedKeys(e.Metadata) {
		fmt.Fprintf(&metadata, "- %s: %s\n", k, e.Metadata[k])
	}
	url := fmt.Sprintf("%s/_matrix/client/r0/rooms/%s/send/m.room.message/%s", m.opts.URL, m.opts.Channel, hex.EncodeToString(sum[:]))
	req, err := jsonRequest(url, map[string]string{
		"body":    fmt.Sprintf("%s %s\n%s\n%s", emoji, objectName(e), e.Message, metadata.String()),
		"msgtype": "m.text",
	})
	if err != nil {
		return err
	}
	req.method = http.MethodPut
	req.header.Set("Authorization", "Bearer "+m.opts.Token)
	_, err = do(ctx, m.opts, req)
	return err
}
