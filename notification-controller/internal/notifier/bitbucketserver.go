package notifier

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

func init() {
	constructors[notificationv1.BitbucketServerProvider] = newBitbucketServer
}

// bitbucketServer sets build statuses on Bitbucket Server / Data Center
// through its REST API, found from the repository's http(s) clone URL
// (https://host[/context]/scm/PROJECT/repo.git), with the token as Bearer
// or else username and password as Basic, as Flux does.
type bitbucketServer struct {
	opts    Options
	commits string // .../rest/api/latest/projects/P/repos/r/commits
	key     string
}

func newBitbucketServer(o Options) (Notifier, error) {
	commits, err := bitbucketServerCommitsURL(o.URL)
	if err != nil {
		return nil, err
	}
	if o.CommitStatus == "" {
		return nil, errors.New("commit status cannot be empty")
	}
	if o.Token == "" && (o.Username == "" || o.Password == "") {
		return nil, errors.New("invalid credentials, expected to be one of username/password or API Token")
	}
	return &bitbucketServer{opts: o, commits: commits, key: statusKey(o.CommitStatus)}, nil
}

// bitbucketServerCommitsURL turns a clone URL into the commits endpoint:
// what precedes the last /scm/ is the server's context path.
func bitbucketServerCommitsURL(address string) (string, error) {
	u, err := url.Parse(address)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", errors.New("could not parse git address: set spec.address to the repository's http(s) clone URL")
	}
	p := strings.TrimSuffix(u.Path, ".git")
	i := strings.LastIndex(p, "/scm/")
	if i < 0 {
		return "", errors.New("could not parse git address: supplied provider address is not http(s) git clone url")
	}
	project, repo, ok := strings.Cut(p[i+len("/scm/"):], "/")
	if !ok || project == "" || repo == "" || strings.Contains(repo, "/") {
		return "", fmt.Errorf("could not parse git address: invalid repository id %q", p[i+len("/scm/"):])
	}
	u.Path = p[:i] + "/rest/api/latest/projects/" + project + "/repos/" + repo + "/commits"
	u.RawQuery, u.Fragment = "", ""
	return u.String(), nil
}

func (b *bitbucketServer) header() http.Header {
	h := http.Header{}
	if b.opts.Token != "" {
		h.Set("Authorization", "Bearer "+b.opts.Token)
	} else {
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(b.opts.Username+":"+b.opts.Password)))
	}
	h.Set("X-Atlassian-Token", "no-check")
	h.Set("X-Requested-With", "XMLHttpRequest")
	return h
}

func (b *bitbucketServer) Post(ctx context.Context, e eventv1.Event) error {
	if skipCommitStatus(e) {
		return nil
	}
	st, err := commitStatusFor(e)
	if err != nil {
		return err
	}
	builds := b.commits + "/" + st.sha + "/builds"
	state := bitbucketState(st)
	// The server shows the name only: the description goes into it too.
	name := strings.ToLower(e.InvolvedObject.Kind+"/"+e.InvolvedObject.Name) + " [" + st.description + "]"
	existing, err := getStatus(ctx, b.opts, request{method: http.MethodGet, url: builds + "?key=" + url.QueryEscape(b.key), header: b.header()})
	if err != nil {
		return fmt.Errorf("could not get existing commit status: %w", err)
	}
	if existing != nil && existing["key"] == b.key && existing["state"] == state &&
		existing["description"] == st.description && existing["name"] == name {
		return nil
	}
	create, err := jsonRequest(builds, map[string]string{
		"key": b.key, "state": state, "url": b.opts.URL, "description": st.description, "name": name,
	})
	if err != nil {
		return err
	}
	for k, v := range b.header() {
		create.header[k] = v
	}
	if _, err := do(ctx, b.opts, create); err != nil {
		return fmt.Errorf("could not post build status: %w", err)
	}
	return nil
}
