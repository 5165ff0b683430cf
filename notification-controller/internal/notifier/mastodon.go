package notifier

import (
	"errors"
	"fmt"
	"strings"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

func init() {
	constructors[notificationv1.MastodonProvider] = newMastodon
}

// mastodonStatuses is the API path statuses are posted to; an address
// without it (the server's root) gets it appended, as Flux does.
const mastodonStatuses = "/api/v1/statuses"

// mastodonMaxChars is a Mastodon server's default status length: a longer
// status would be refused, so it is cut, as Flux cuts it.
const mastodonMaxChars = 500

// newMastodon posts the event as a status of the account whose access
// token is the secret's token: a heading with the object, the message and
// the metadata sorted by key. The event's key (the event server's) is the
// Idempotency-Key, so a retried post that had gone through is not posted
// twice.
func newMastodon(o Options) (Notifier, error) {
	u, err := parseURL("Mastodon server", o.URL)
	if err != nil {
		return nil, err
	}
	if o.Token == "" {
		return nil, errors.New("empty Mastodon access token: set the token key of spec.secretRef")
	}
	if path := strings.TrimSuffix(u.Path, "/"); !strings.HasSuffix(path, mastodonStatuses) {
		u.Path = path + mastodonStatuses
	}
	target := o
	target.URL = u.String()
	return &jsonPoster{opts: target,
		payload: func(e eventv1.Event) (any, bool) { return map[string]string{"status": mastodonStatus(e)}, true },
		auth: func(h map[string][]string) {
			h["Authorization"] = []string{"Bearer " + o.Token}
			if o.EventKey != "" {
				h["Idempotency-Key"] = []string{o.EventKey}
			}
		},
	}, nil
}

func mastodonStatus(e eventv1.Event) string {
	emoji := "💫"
	if e.Severity == eventv1.EventSeverityError {
		emoji = "🚨"
	}
	o := e.InvolvedObject
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s/%s.%s\n%s\n\n", emoji, strings.ToLower(o.Kind), o.Name, o.Namespace, e.Message)
	for _, k := range sortedKeys(e.Metadata) {
		fmt.Fprintf(&b, "%s: %s\n", k, e.Metadata[k])
	}
	status := strings.TrimSpace(b.String())
	if r := []rune(status); len(r) > mastodonMaxChars {
		status = string(r[:mastodonMaxChars-1]) + "…"
	}
	return status
}
