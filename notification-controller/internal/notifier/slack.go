package notifier

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
)

// slackMessage is Slack's incoming-webhook (and chat.postMessage) message
// with one attachment, the shape Flux posts; Discord accepts it too at its
// /slack endpoint.
type slackMessage struct {
	Channel     string            `json:"channel"`
	Username    string            `json:"username"`
	IconURL     string            `json:"icon_url"`
	IconEmoji   string            `json:"icon_emoji"`
	Attachments []slackAttachment `json:"attachments,omitempty"`
}

type slackAttachment struct {
	Color      string       `json:"color"`
	AuthorName string       `json:"author_name"`
	Text       string       `json:"text"`
	MrkdwnIn   []string     `json:"mrkdwn_in"`
	Fields     []slackField `json:"fields"`
}

type slackField struct {
	Title string `json:"title"`
	Value string `json:"value"`
	Short bool   `json:"short"`
}

// slack posts to a Slack webhook, or with a token (a bot token) to the
// chat.postMessage address, authenticated as Bearer.
type slack struct {
	opts Options
}

func newSlack(o Options) (Notifier, error) {
	if _, err := parseURL("Slack", o.URL); err != nil {
		return nil, err
	}
	if o.Token != "" && o.Channel == "" {
		return nil, fmt.Errorf("a Slack bot token needs spec.channel: the channel to post in")
	}
	return &slack{opts: o}, nil
}

func (s *slack) Post(ctx context.Context, e eventv1.Event) error {
	req, err := jsonRequest(s.opts.URL, slackMessageFor(e, s.opts))
	if err != nil {
		return err
	}
	if s.opts.Token != "" {
		req.header.Set("Authorization", "Bearer "+s.opts.Token)
	}
	_, err = do(ctx, s.opts, req)
	return err
}

// slackMessageFor builds the message: the object as kind/name.namespace,
// the event's message, green for info and red for error, and the metadata
// as fields sorted by key; posted under spec.username, or the emitting
// controller's name.
func slackMessageFor(e eventv1.Event, o Options) slackMessage {
	color := "good"
	if e.Severity == eventv1.EventSeverityError {
		color = "danger"
	}
	fields := make([]slackField, 0, len(e.Metadata))
	for _, k := range sortedKeys(e.Metadata) {
		fields = append(fields, slackField{Title: k, Value: e.Metadata[k]})
	}
	username := o.Username
	if username == "" {
		username = e.ReportingController
	}
	return slackMessage{
		Channel:  o.Channel,
		Username: username,
		Attachments: []slackAttachment{{
			Color:      color,
			AuthorName: objectName(e),
			Text:       e.Message,
			MrkdwnIn:   []string{"text"},
			Fields:     fields,
		}},
	}
}

// discord posts the Slack-shaped message to the webhook's /slack endpoint,
// as Flux does.
type discord struct {
	opts Options
}

func newDiscord(o Options) (Notifier, error) {
	u, err := parseURL("Discord", o.URL)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(u.Path, "/slack") {
		u.Path = path.Join(u.Path, "slack")
	}
	o.URL = u.String()
	return &discord{opts: o}, nil
}

func (d *discord) Post(ctx context.Context, e eventv1.Event) error {
	req, err := jsonRequest(d.opts.URL, slackMessageFor(e, d.opts))
	if err != nil {
		return err
	}
	_, err = do(ctx, d.opts, req)
	return err
}

// objectName is how chat messages name the event's object:
// kind/name.namespace, the kind in lower case.
func objectName(e eventv1.Event) string {
	return fmt.Sprintf("%s/%s.%s", strings.ToLower(e.InvolvedObject.Kind), e.InvolvedObject.Name, e.InvolvedObject.Namespace)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
