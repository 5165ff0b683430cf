package notifier

import (
	"context"
	"strings"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
)

// msteams posts to a Teams incoming webhook: an Adaptive Card (version 1.4,
// what Teams workflows accept), or to a retired Office 365 connector
// (*.webhook.office.com) the older MessageCard, as Flux chooses.
type msteams struct {
	opts      Options
	connector bool
}

func newMSTeams(o Options) (Notifier, error) {
	u, err := parseURL("MS Teams", o.URL)
	if err != nil {
		return nil, err
	}
	return &msteams{opts: o, connector: strings.HasSuffix(u.Hostname(), ".webhook.office.com")}, nil
}

func (m *msteams) Post(ctx context.Context, e eventv1.Event) error {
	var payload any = adaptiveCard(e)
	if m.connector {
		payload = messageCard(e)
	}
	req, err := jsonRequest(m.opts.URL, payload)
	if err != nil {
		return err
	}
	_, err = do(ctx, m.opts, req)
	return err
}

// messageCard is the connector's card: the message as title, the object as
// subtitle, the metadata as facts, blue or (on error) red.
func messageCard(e eventv1.Event) map[string]any {
	facts := []map[string]string{}
	for _, k := range sortedKeys(e.Metadata) {
		facts = append(facts, map[string]string{"name": k, "value": e.Metadata[k]})
	}
	color := "0076D7"
	if e.Severity == eventv1.EventSeverityError {
		color = "FF0000"
	}
	return map[string]any{
		"@type":      "MessageCard",
		"@context":   "http://schema.org/extensions",
		"themeColor": color,
		"summary":    objectName(e),
		"sections": []map[string]any{{
			"activityTitle":    e.Message,
			"activitySubtitle": objectName(e),
			"facts":            facts,
		}},
	}
}

// adaptiveCard is a full-width card: the object in large bold, the message
// (in the attention colour on error), and the metadata as facts, summary
// first and the rest by key.
func adaptiveCard(e eventv1.Event) map[string]any {
	message := map[string]any{"type": "TextBlock", "text": e.Message, "wrap": true}
	if e.Severity == eventv1.EventSeverityError {
		message["color"] = "attention"
	}
	facts := []map[string]string{}
	if s, ok := e.Metadata["summary"]; ok {
		facts = append(facts, map[string]string{"title": "summary", "value": s})
	}
	for _, k := range sortedKeys(e.Metadata) {
		if k != "summary" {
			facts = append(facts, map[string]string{"title": k, "value": e.Metadata[k]})
		}
	}
	factSet := map[string]any{"type": "FactSet"}
	if len(facts) > 0 {
		factSet["facts"] = facts
	}
	return map[string]any{
		"type": "message",
		"attachments": []map[string]any{{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"content": map[string]any{
				"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
				"type":    "AdaptiveCard",
				"version": "1.4",
				"msteams": map[string]string{"width": "Full"},
				"body": []map[string]any{{
					"type": "Container",
					"items": []map[string]any{
						{"type": "TextBlock", "text": objectName(e), "size": "large", "weight": "bolder", "wrap": true},
						message,
						factSet,
					},
				}},
			},
		}},
	}
}
