package notifier

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
)

// changeRequestAPI is what differs between the Git services' comment APIs
// on a pull or merge request; changeRequestComment does the rest.
type changeRequestAPI struct {
	service string
	// keyPrefix opens the hidden marker that finds the comment again
	// (Flux's: flux-pr-comment-key, or flux-mr-comment-key on GitLab).
	keyPrefix string
	// userURL answers who the token belongs to; userField names its login.
	userURL, userField string
	// listURL and createURL are the comments of change request n.
	listURL, createURL func(n int) string
	// editURL and editMethod update comment id of change request n.
	editURL    func(n int, id string) string
	editMethod string
	// authorField names the comment's author object and its login field.
	authorField, authorLogin string
	auth                     func(h http.Header)
}

// changeRequestComment keeps one comment per object (and Provider) on the
// change request named by the event's change_request metadata, as Flux's
// PR/MR comment types: the first event creates it, the next ones edit it.
type changeRequestComment struct {
	opts Options
	api  changeRequestAPI
}

func (c *changeRequestComment) Post(ctx context.Context, e eventv1.Event) error {
	n, err := changeRequestNumber(e)
	if err != nil {
		return err
	}
	login, err := c.login(ctx)
	if err != nil {
		return err
	}
	marker := c.marker(e)
	list := request{method: http.MethodGet, url: c.api.listURL(n), header: http.Header{}}
	c.api.auth(list.header)
	answer, err := do(ctx, c.opts, list)
	if err != nil {
		return fmt.Errorf("could not list the comments of %s change request %d: %w", c.api.service, n, err)
	}
	var comments []map[string]any
	if err := json.Unmarshal(answer, &comments); err != nil {
		return fmt.Errorf("could not read the comments of %s change request %d: %w", c.api.service, n, err)
	}
	body := map[string]string{"body": commentBody(marker, e)}
	for _, cm := range comments {
		author, _ := cm[c.api.authorField].(map[string]any)
		text, _ := cm["body"].(string)
		if author == nil || author[c.api.authorLogin] != login || !strings.Contains(text, marker) {
			continue
		}
		edit, err := jsonRequest(c.api.editURL(n, idString(cm["id"])), body)
		if err != nil {
			return err
		}
		edit.method = c.api.editMethod
		c.api.auth(edit.header)
		if _, err := do(ctx, c.opts, edit); err != nil {
			return fmt.Errorf("could not update the %s comment on change request %d: %w", c.api.service, n, err)
		}
		return nil
	}
	create, err := jsonRequest(c.api.createURL(n), body)
	if err != nil {
		return err
	}
	c.api.auth(create.header)
	if _, err := do(ctx, c.opts, create); err != nil {
		return fmt.Errorf("could not create the %s comment on change request %d: %w", c.api.service, n, err)
	}
	return nil
}

// login is the token's user, whose comments alone are edited.
func (c *changeRequestComment) login(ctx context.Context) (string, error) {
	r := request{method: http.MethodGet, url: c.api.userURL, header: http.Header{}}
	c.api.auth(r.header)
	answer, err := do(ctx, c.opts, r)
	if err != nil {
		return "", fmt.Errorf("could not read the %s user of the token: %w", c.api.service, err)
	}
	var user map[string]any
	if err := json.Unmarshal(answer, &user); err != nil {
		return "", fmt.Errorf("could not read the %s user of the token: %w", c.api.service, err)
	}
	login, _ := user[c.api.userField].(string)
	if login == "" {
		return "", fmt.Errorf("the %s user of the token has no %s", c.api.service, c.api.userField)
	}
	return login, nil
}

// marker is the HTML comment, invisible on the page, that identifies the
// comment of this Provider and object.
func (c *changeRequestComment) marker(e eventv1.Event) string {
	o := e.InvolvedObject
	return fmt.Sprintf("<!-- %s:%s/%s/%s/%s -->", c.api.keyPrefix, c.opts.ProviderUID, o.Kind, o.Namespace, o.Name)
}

// commentBody lays the event out as Flux's comment does: the marker, a
// "Flux Status" heading, the object with a severity sign, the message and
// the metadata (sorted, the change request number left out).
func commentBody(marker string, e eventv1.Event) string {
	sign := "ℹ️"
	if e.Severity == eventv1.EventSeverityError {
		sign = "⚠️"
	}
	keys := make([]string, 0, len(e.Metadata))
	for k := range e.Metadata {
		if k != eventv1.MetaChangeRequestKey {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var meta strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&meta, "* `%s`: %s\n", k, e.Metadata[k])
	}
	o := e.InvolvedObject
	return fmt.Sprintf("%s\n\n## Flux Status\n\n%s %s/%s/%s\n\n%s\n\nMetadata:\n%s",
		marker, sign, o.Kind, o.Namespace, o.Name, e.Message, meta.String())
}

// changeRequestNumber reads the pull or merge request number from the
// event's change_request metadata.
func changeRequestNumber(e eventv1.Event) (int, error) {
	v, ok := e.Metadata[eventv1.MetaChangeRequestKey]
	if !ok {
		return 0, fmt.Errorf("missing %q metadata key", eventv1.MetaChangeRequestKey)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("invalid %q metadata value %q: want a pull or merge request number", eventv1.MetaChangeRequestKey, v)
	}
	return n, nil
}

// idString prints a JSON number id without a fraction or exponent.
func idString(v any) string {
	switch id := v.(type) {
	case float64:
		return strconv.FormatInt(int64(id), 10)
	case string:
		return id
	}
	return fmt.Sprint(v)
}

// newChangeRequest checks what every comment type needs: the Provider's
// UID (part of the marker), a repository address and a token.
func newChangeRequest(o Options, service string) (string, string, error) {
	if o.ProviderUID == "" {
		return "", "", fmt.Errorf("provider UID cannot be empty")
	}
	base, repo, err := gitRepository(o.URL)
	if err != nil {
		return "", "", err
	}
	if o.Token == "" {
		return "", "", fmt.Errorf("%s comments need an API token in the token key of spec.secretRef", service)
	}
	return base.String(), repo, nil
}

// githubAPI is the API root of a GitHub server: github.com's has a host
// of its own, GitHub Enterprise serves it under /api/v3.
func githubAPI(base string) string {
	if base == "https://github.com" {
		return "https://api.github.com"
	}
	return base + "/api/v3"
}

func newGitHubPRComment(o Options) (Notifier, error) {
	base, repo, err := newChangeRequest(o, "GitHub")
	if err != nil {
		return nil, err
	}
	api := githubAPI(base)
	issue := func(n int) string { return api + "/repos/" + repo + "/issues/" + strconv.Itoa(n) + "/comments" }
	return &changeRequestComment{opts: o, api: changeRequestAPI{
		service: "GitHub", keyPrefix: "flux-pr-comment-key",
		userURL: api + "/user", userField: "login",
		listURL:    func(n int) string { return issue(n) + "?sort=created&direction=asc&per_page=100" },
		createURL:  issue,
		editURL:    func(_ int, id string) string { return api + "/repos/" + repo + "/issues/comments/" + id },
		editMethod: http.MethodPatch, authorField: "user", authorLogin: "login",
		auth: func(h http.Header) {
			h.Set("Authorization", "Bearer "+o.Token)
			h.Set("Accept", "application/vnd.github.v3+json")
		},
	}}, nil
}

func newGitLabMRComment(o Options) (Notifier, error) {
	base, repo, err := newChangeRequest(o, "GitLab")
	if err != nil {
		return nil, err
	}
	api := base + "/api/v4"
	notes := func(n int) string {
		return api + "/projects/" + url.PathEscape(repo) + "/merge_requests/" + strconv.Itoa(n) + "/notes"
	}
	return &changeRequestComment{opts: o, api: changeRequestAPI{
		service: "GitLab", keyPrefix: "flux-mr-comment-key",
		userURL: api + "/user", userField: "username",
		listURL:    func(n int) string { return notes(n) + "?order_by=created_at&per_page=100&sort=asc" },
		createURL:  notes,
		editURL:    func(n int, id string) string { return notes(n) + "/" + id },
		editMethod: http.MethodPut, authorField: "author", authorLogin: "username",
		auth: func(h http.Header) { h.Set("PRIVATE-TOKEN", o.Token) },
	}}, nil
}

func newGiteaPRComment(o Options) (Notifier, error) {
	base, repo, err := newChangeRequest(o, "Gitea")
	if err != nil {
		return nil, err
	}
	api := base + "/api/v1"
	issue := func(n int) string { return api + "/repos/" + repo + "/issues/" + strconv.Itoa(n) + "/comments" }
	return &changeRequestComment{opts: o, api: changeRequestAPI{
		service: "Gitea", keyPrefix: "flux-pr-comment-key",
		userURL: api + "/user", userField: "login",
		listURL:    func(n int) string { return issue(n) + "?limit=100&page=1" },
		createURL:  issue,
		editURL:    func(_ int, id string) string { return api + "/repos/" + repo + "/issues/comments/" + id },
		editMethod: http.MethodPatch, authorField: "user", authorLogin: "login",
		auth: func(h http.Header) { h.Set("Authorization", "token "+o.Token) },
	}}, nil
}
