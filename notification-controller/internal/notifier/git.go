package notifier

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
)

// gitStatusAPI is what differs between the Git services' commit status
// APIs; gitStatus does the rest.
type gitStatusAPI struct {
	service string
	// listURL and createURL are the endpoints for one commit.
	listURL, createURL func(sha string) string
	// auth sets the token on a request.
	auth func(h http.Header)
	// body is the status to create.
	body func(st commitStatus, id string) map[string]string
	// same reports whether a listed status already says this (then
	// nothing is posted, as Flux avoids repeating a status).
	same func(listed map[string]any, st commitStatus, id string) bool
}

type gitStatus struct {
	opts Options
	api  gitStatusAPI
}

func (g *gitStatus) Post(ctx context.Context, e eventv1.Event) error {
	if skipCommitStatus(e) {
		return nil
	}
	st, err := commitStatusFor(e)
	if err != nil {
		return err
	}
	list := request{method: http.MethodGet, url: g.api.listURL(st.sha), header: http.Header{}}
	g.api.auth(list.header)
	answer, err := do(ctx, g.opts, list)
	if err != nil {
		return fmt.Errorf("could not list %s commit statuses: %w", g.api.service, err)
	}
	var listed []map[string]any
	if err := json.Unmarshal(answer, &listed); err == nil {
		// The newest first: only the latest status of this id counts.
		for _, s := range listed {
			if s["context"] == g.opts.CommitStatus || s["name"] == g.opts.CommitStatus {
				if g.api.same(s, st, g.opts.CommitStatus) {
					return nil
				}
				break
			}
		}
	}
	create, err := jsonRequest(g.api.createURL(st.sha), g.api.body(st, g.opts.CommitStatus))
	if err != nil {
		return err
	}
	g.api.auth(create.header)
	if _, err := do(ctx, g.opts, create); err != nil {
		return fmt.Errorf("could not create %s commit status: %w", g.api.service, err)
	}
	return nil
}

// newGitStatus checks what every Git type needs: an id, a repository
// address and a token.
func newGitStatus(o Options, service string) (*url.URL, string, error) {
	if o.CommitStatus == "" {
		return nil, "", fmt.Errorf("commit status id is empty")
	}
	base, repo, err := gitRepository(o.URL)
	if err != nil {
		return nil, "", err
	}
	if o.Token == "" {
		return nil, "", fmt.Errorf("%s commit statuses need an API token in the token key of spec.secretRef", service)
	}
	return base, repo, nil
}

func newGitHub(o Options) (Notifier, error) {
	base, repo, err := newGitStatus(o, "GitHub")
	if err != nil {
		return nil, err
	}
	// github.com's API has its own host; GitHub Enterprise serves it
	// under /api/v3 of the server.
	api := base.JoinPath("api", "v3").String()
	if base.Host == "github.com" {
		api = "https://api.github.com"
	}
	return &gitStatus{opts: o, api: gitStatusAPI{
		service:   "GitHub",
		listURL:   func(sha string) string { return api + "/repos/" + repo + "/commits/" + sha + "/statuses?per_page=50" },
		createURL: func(sha string) string { return api + "/repos/" + repo + "/statuses/" + sha },
		auth: func(h http.Header) {
			h.Set("Authorization", "Bearer "+o.Token)
			h.Set("Accept", "application/vnd.github.v3+json")
		},
		body: func(st commitStatus, id string) map[string]string {
			return map[string]string{"state": githubState(st), "context": id, "description": st.description}
		},
		same: func(s map[string]any, st commitStatus, _ string) bool {
			return s["state"] == githubState(st) && s["description"] == st.description
		},
	}}, nil
}

func githubState(st commitStatus) string {
	if st.success {
		return "success"
	}
	return "failure"
}

func newGitea(o Options) (Notifier, error) {
	base, repo, err := newGitStatus(o, "Gitea")
	if err != nil {
		return nil, err
	}
	api := base.JoinPath("api", "v1").String()
	return &gitStatus{opts: o, api: gitStatusAPI{
		service:   "Gitea",
		listURL:   func(sha string) string { return api + "/repos/" + repo + "/commits/" + sha + "/statuses" },
		createURL: func(sha string) string { return api + "/repos/" + repo + "/statuses/" + sha },
		auth:      func(h http.Header) { h.Set("Authorization", "token "+o.Token) },
		body: func(st commitStatus, id string) map[string]string {
			return map[string]string{"state": githubState(st), "context": id, "description": st.description, "target_url": ""}
		},
		same: func(s map[string]any, st commitStatus, _ string) bool {
			return s["status"] == githubState(st) && s["description"] == st.description
		},
	}}, nil
}

func newGitLab(o Options) (Notifier, error) {
	base, repo, err := newGitStatus(o, "GitLab")
	if err != nil {
		return nil, err
	}
	// The project is named by its path, escaped as one path segment.
	project := base.String() + "/api/v4/projects/" + url.PathEscape(repo)
	state := func(st commitStatus) string {
		if st.success {
			return "success"
		}
		return "failed"
	}
	return &gitStatus{opts: o, api: gitStatusAPI{
		service:   "GitLab",
		listURL:   func(sha string) string { return project + "/repository/commits/" + sha + "/statuses" },
		createURL: func(sha string) string { return project + "/statuses/" + sha },
		auth:      func(h http.Header) { h.Set("PRIVATE-TOKEN", o.Token) },
		body: func(st commitStatus, id string) map[string]string {
			return map[string]string{"state": state(st), "name": id, "description": st.description}
		},
		same: func(s map[string]any, st commitStatus, _ string) bool {
			return s["status"] == state(st) && s["description"] == st.description
		},
	}}, nil
}
