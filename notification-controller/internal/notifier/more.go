package notifier

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

func init() {
	constructors[notificationv1.RocketProvider] = newRocket
	constructors[notificationv1.GoogleChatProvider] = newGoogleChat
	constructors[notificationv1.AlertManagerProvider] = newAlertmanager
	constructors[notificationv1.GrafanaProvider] = newGrafana
	constructors[notificationv1.GitHubDispatchProvider] = newGitHubDispatch
}

// jsonPoster posts a payload built from each event, with headers set by auth.
type jsonPoster struct {
	opts    Options
	payload func(eventv1.Event) (any, bool)
	auth    func(h map[string][]string)
}

func (p *jsonPoster) Post(ctx context.Context, e eventv1.Event) error {
	payload, send := p.payload(e)
	if !send {
		return nil
	}
	req, err := jsonRequest(p.opts.URL, payload)
	if err != nil {
		return err
	}
	if p.auth != nil {
		p.auth(req.header)
	}
	_, err = do(ctx, p.opts, req)
	return err
}

// newRocket posts a Slack-shaped message to a Rocket.Chat webhook, under
// spec.username in spec.channel (both required, as in Flux).
func newRocket(o Options) (Notifier, error) {
	if _, err := parseURL("Rocket", o.URL); err != nil {
		return nil, err
	}
	if o.Username == "" {
		return nil, errors.New("empty Rocket username: set spec.username")
	}
	if o.Channel == "" {
		return nil, errors.New("empty Rocket channel: set spec.channel")
	}
	return &jsonPoster{opts: o, payload: func(e eventv1.Event) (any, bool) {
		m := slackMessageFor(e, o)
		m.IconEmoji = ":rocket:"
		m.Attachments[0].Color = "#0076D7"
		if e.Severity == eventv1.EventSeverityError {
			m.Attachments[0].Color = "#FF0000"
		}
		m.Attachments[0].AuthorName = e.InvolvedObject.Name + "." + e.InvolvedObject.Namespace
		return m, true
	}}, nil
}

// newGoogleChat posts a card: the object as title, the controller as
// subtitle, the message (red on error), and the timestamp and metadata as
// key-values. Progress events are not sent, as in Flux.
func newGoogleChat(o Options) (Notifier, error) {
	if _, err := parseURL("Google Chat", o.URL); err != nil {
		return nil, err
	}
	return &jsonPoster{opts: o, payload: func(e eventv1.Event) (any, bool) {
		if e.Reason == "Progressing" {
			return nil, false
		}
		text := e.Message
		if e.Severity == eventv1.EventSeverityError {
			text = fmt.Sprintf("<font color=\"#ff0000\">%s</font>", e.Message)
		}
		keyValue := func(k, v string) map[string]any {
			return map[string]any{"keyValue": map[string]any{"topLabel": k, "content": v, "contentMultiline": false,
				"bottomLabel": nil, "icon": nil}, "textParagraph": nil}
		}
		kvs := []map[string]any{keyValue("TIMESTAMP", e.Timestamp.String())}
		for _, k := range sortedKeys(e.Metadata) {
			kvs = append(kvs, keyValue(k, e.Metadata[k]))
		}
		return map[string]any{"cards": []map[string]any{{
			"header": map[string]any{"title": objectName(e), "subtitle": e.ReportingController, "imageUrl": nil, "imageStyle": nil},
			"sections": []map[string]any{
				{"header": "", "widgets": []map[string]any{{"textParagraph": map[string]string{"text": text}, "keyValue": nil}}},
				{"header": "", "widgets": kvs},
			},
		}}}, true
	}}, nil
}

// newAlertmanager posts one firing alert: the metadata, the event's kind,
// name, namespace, reason, severity and timestamp as labels (alertname
// Flux<Kind><Reason>), the message and summary as annotations.
func newAlertmanager(o Options) (Notifier, error) {
	if _, err := parseURL("Alertmanager", o.URL); err != nil {
		return nil, err
	}
	return &jsonPoster{opts: o, payload: func(e eventv1.Event) (any, bool) {
		annotations := map[string]string{"message": e.Message}
		labels := map[string]string{}
		for k, v := range e.Metadata {
			labels[k] = v
		}
		if s, ok := labels["summary"]; ok {
			annotations["summary"] = s
			delete(labels, "summary")
		}
		labels["alertname"] = "Flux" + e.InvolvedObject.Kind + titleCase(e.Reason)
		labels["severity"] = e.Severity
		labels["reason"] = e.Reason
		labels["timestamp"] = e.Timestamp.String()
		labels["kind"] = e.InvolvedObject.Kind
		labels["name"] = e.InvolvedObject.Name
		labels["namespace"] = e.InvolvedObject.Namespace
		labels["reportingcontroller"] = e.ReportingController
		return []map[string]any{{"status": "firing", "labels": labels, "annotations": annotations}}, true
	}}, nil
}

// newGrafana posts an annotation (Graphite format) tagged flux, the
// controller and each metadata pair; a token is sent as Bearer, else
// username and password as Basic.
func newGrafana(o Options) (Notifier, error) {
	if _, err := parseURL("Grafana", o.URL); err != nil {
		return nil, err
	}
	return &jsonPoster{opts: o,
		payload: func(e eventv1.Event) (any, bool) {
			tags := []string{"flux", e.ReportingController}
			for _, k := range sortedKeys(e.Metadata) {
				tags = append(tags, k+": "+e.Metadata[k])
			}
			return map[string]any{"when": e.Timestamp.Unix(), "text": objectName(e), "tags": tags}, true
		},
		auth: func(h map[string][]string) {
			switch {
			case o.Token != "":
				h["Authorization"] = []string{"Bearer " + o.Token}
			case o.Username != "" && o.Password != "":
				h["Authorization"] = []string{"Basic " + base64.StdEncoding.EncodeToString([]byte(o.Username+":"+o.Password))}
			}
		},
	}, nil
}

// newGitHubDispatch sends a repository_dispatch to the repository of
// spec.address: event_type Kind/name.namespace, the event as client_payload.
func newGitHubDispatch(o Options) (Notifier, error) {
	if o.Token == "" {
		return nil, errors.New("github token cannot be empty: set the token key of spec.secretRef")
	}
	base, repo, err := gitRepository(o.URL)
	if err != nil {
		return nil, err
	}
	if strings.Count(repo, "/") != 1 {
		return nil, fmt.Errorf("invalid repository id %q", repo)
	}
	api := base.JoinPath("api", "v3").String()
	if base.Host == "github.com" {
		api = "https://api.github.com"
	}
	target := o
	target.URL = api + "/repos/" + repo + "/dispatches"
	return &jsonPoster{opts: target,
		payload: func(e eventv1.Event) (any, bool) {
			return map[string]any{
				"event_type":     fmt.Sprintf("%s/%s.%s", e.InvolvedObject.Kind, e.InvolvedObject.Name, e.InvolvedObject.Namespace),
				"client_payload": e,
			}, true
		},
		auth: func(h map[string][]string) {
			h["Authorization"] = []string{"Bearer " + o.Token}
			h["Accept"] = []string{"application/vnd.github.v3+json"}
		},
	}, nil
}

// titleCase upper-cases the first letter of each word, as strings.Title did.
func titleCase(s string) string {
	prev := ' '
	return strings.Map(func(r rune) rune {
		defer func() { prev = r }()
		if unicode.IsSpace(prev) || prev == '-' || prev == '_' {
			return unicode.ToUpper(r)
		}
		return r
	}, s)
}
