package notifier

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

func init() {
	constructors[notificationv1.AzureDevOpsProvider] = newAzureDevOps
}

// azureDevOpsAPIVersion is the REST API version Flux's client speaks.
const azureDevOpsAPIVersion = "6.0"

// azureDevOps sets commit statuses through the Git REST API of the
// organization of spec.address (https://dev.azure.com/org/project/_git/repo),
// authenticated with the personal access token of the secret (Basic, empty
// user). The status context is genre "fluxcd" (":<summary>" appended when
// the event has one) and name the status id, as Flux sets them.
type azureDevOps struct {
	opts     Options
	statuses func(sha string) string
	auth     string
}

func newAzureDevOps(o Options) (Notifier, error) {
	if o.Token == "" {
		return nil, errors.New("azure devops token cannot be empty: set the token key of spec.secretRef to a personal access token (workload identity is not supported by Tide)")
	}
	base, id, err := gitRepository(o.URL)
	if err != nil {
		return nil, err
	}
	if o.CommitStatus == "" {
		return nil, errors.New("commit status cannot be empty")
	}
	parts := strings.Split(id, "/")
	if len(parts) != 4 {
		return nil, fmt.Errorf("invalid repository id %q: expected <org>/<project>/_git/<repo>", id)
	}
	org, project, repo := parts[0], parts[1], parts[3]
	api := base.String() + "/" + url.PathEscape(org) + "/" + url.PathEscape(project) +
		"/_apis/git/repositories/" + url.PathEscape(repo) + "/commits/"
	return &azureDevOps{
		opts:     o,
		statuses: func(sha string) string { return api + sha + "/statuses?api-version=" + azureDevOpsAPIVersion },
		auth:     "Basic " + base64.StdEncoding.EncodeToString([]byte(":"+o.Token)),
	}, nil
}

type azureDevOpsStatus struct {
	State       string `json:"state"`
	Description string `json:"description"`
	Context     struct {
		Name  string `json:"name"`
		Genre string `json:"genre"`
	} `json:"context"`
}

func (a *azureDevOps) Post(ctx context.Context, e eventv1.Event) error {
	if skipCommitStatus(e) {
		return nil
	}
	st, err := commitStatusFor(e)
	if err != nil {
		return err
	}
	var want azureDevOpsStatus
	want.State = "error"
	if st.success {
		want.State = "succeeded"
	}
	want.Description = st.description
	want.Context.Name = a.opts.CommitStatus
	want.Context.Genre = "fluxcd"
	if summary, ok := e.Metadata["summary"]; ok {
		want.Context.Genre += ":" + summary
	}

	list := request{method: http.MethodGet, url: a.statuses(st.sha), header: http.Header{}}
	list.header.Set("Authorization", a.auth)
	answer, err := do(ctx, a.opts, list)
	if err != nil {
		return fmt.Errorf("could not list commit statuses: %w", err)
	}
	var listed struct {
		Value []azureDevOpsStatus `json:"value"`
	}
	if err := json.Unmarshal(answer, &listed); err == nil {
		// The newest first: only the latest status of this context counts.
		for _, s := range listed.Value {
			if s.Context == want.Context {
				if s.State == want.State && s.Description == want.Description {
					return nil
				}
				break
			}
		}
	}
	create, err := jsonRequest(a.statuses(st.sha), want)
	if err != nil {
		return err
	}
	create.header.Set("Authorization", a.auth)
	if _, err := do(ctx, a.opts, create); err != nil {
		return fmt.Errorf("could not create commit status: %w", err)
	}
	return nil
}
