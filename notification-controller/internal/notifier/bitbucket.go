package notifier

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

func init() {
	constructors[notificationv1.BitbucketProvider] = newBitbucket
}

// BitbucketAPI is Bitbucket Cloud's API; Flux sends there whatever the
// host of spec.address, and so does Tide. Tests point it at a stand-in.
var BitbucketAPI = "https://api.bitbucket.org/2.0"

// bitbucket sets build statuses on Bitbucket Cloud commits, authenticated
// with the "<user>:<app password>" of the secret's token. The status key
// is the SHA-1 of the status id (Bitbucket allows 40 characters).
type bitbucket struct {
	opts Options
	repo string
	auth string
	key  string
}

func newBitbucket(o Options) (Notifier, error) {
	if o.Token == "" {
		return nil, errors.New("bitbucket token cannot be empty: set the token key of spec.secretRef to <user>:<app password>")
	}
	if o.CommitStatus == "" {
		return nil, errors.New("commit status id is empty")
	}
	_, repo, err := gitRepository(o.URL)
	if err != nil {
		return nil, err
	}
	if strings.Count(repo, "/") != 1 {
		return nil, fmt.Errorf("invalid repository id %q", repo)
	}
	user, password, ok := strings.Cut(o.Token, ":")
	if !ok || strings.Contains(password, ":") {
		return nil, errors.New("invalid token format, expected to be <user>:<password>")
	}
	return &bitbucket{opts: o, repo: repo, key: statusKey(o.CommitStatus),
		auth: "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))}, nil
}

// statusKey is the hex SHA-1 of a status id, as Flux keys Bitbucket statuses.
func statusKey(id string) string {
	return fmt.Sprintf("%x", sha1.Sum([]byte(id)))
}

func bitbucketState(st commitStatus) string {
	if st.success {
		return "SUCCESSFUL"
	}
	return "FAILED"
}

func (b *bitbucket) Post(ctx context.Context, e eventv1.Event) error {
	if skipCommitStatus(e) {
		return nil
	}
	st, err := commitStatusFor(e)
	if err != nil {
		return err
	}
	commit := BitbucketAPI + "/repositories/" + b.repo + "/commit/" + st.sha + "/statuses/build"
	h := http.Header{}
	h.Set("Authorization", b.auth)
	existing, err := getStatus(ctx, b.opts, request{method: http.MethodGet, url: commit + "/" + b.key, header: h})
	if err != nil {
		return fmt.Errorf("could not get commit status: %w", err)
	}
	state := bitbucketState(st)
	if existing != nil && existing["state"] == state && existing["description"] == st.description {
		return nil
	}
	name := strings.ToLower(e.InvolvedObject.Kind + "/" + e.InvolvedObject.Name)
	create, err := jsonRequest(commit, map[string]string{
		"key": b.key, "state": state, "name": name, "description": st.description, "url": "https://bitbucket.org",
	})
	if err != nil {
		return err
	}
	create.header.Set("Authorization", b.auth)
	if _, err := do(ctx, b.opts, create); err != nil {
		return fmt.Errorf("could not create Bitbucket commit status: %w", err)
	}
	return nil
}

// getStatus fetches one status object: nil when the service answers 404
// (no such status yet), an error for any other failure.
func getStatus(ctx context.Context, o Options, r request) (map[string]any, error) {
	r.absentOK = true
	answer, err := do(ctx, o, r)
	if err != nil || answer == nil {
		return nil, err
	}
	var status map[string]any
	if err := json.Unmarshal(answer, &status); err != nil {
		return nil, fmt.Errorf("the status answer is not JSON: %w", err)
	}
	return status, nil
}
