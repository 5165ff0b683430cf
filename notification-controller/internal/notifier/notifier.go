package notifier

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"time"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

// Notifier sends an event to a service.
type Notifier interface {
	Post(ctx context.Context, e eventv1.Event) error
}

// Options is what a Provider and its Secrets configure.
type Options struct {
	// URL is the endpoint (spec.address, or the secret's address key).
	URL      string
	Channel  string
	Username string
	// Token is the secret's token key: a bearer token, an API key or the
	// HMAC key, as the type uses it.
	Token    string
	Password string
	// Headers are added to every request (the secret's headers key).
	Headers map[string]string
	// TLS is the client TLS configuration from certSecretRef.
	TLS *tls.Config
	// Proxy is the proxy from proxySecretRef (or spec.proxy).
	Proxy *url.URL
	// CommitStatus is the status id (context) of the Git commit status
	// types, computed by the event server (CommitStatusID or the CEL
	// expression).
	CommitStatus string
	// Timeout bounds each HTTP request.
	Timeout time.Duration
	// SecretAddress: URL came from a Secret (a Slack or Teams webhook URL
	// is itself a credential), so no error quotes it.
	SecretAddress bool
	// ProviderUID is the Provider's UID, part of the hidden marker of the
	// change request comment types.
	ProviderUID string
	// EventKey is the event's identity as the event server keys it for
	// rate limiting (event.Key), for types that send it as an idempotency
	// token.
	EventKey string
}

// Secrets are the values of o no message may quote.
func (o Options) Secrets() []string {
	out := []string{}
	for _, s := range []string{o.Token, o.Password} {
		if s != "" {
			out = append(out, s)
		}
	}
	if o.SecretAddress && o.URL != "" {
		out = append(out, o.URL)
	}
	return out
}

// ErrUnsupported is returned by New for a type Tide does not send to.
var ErrUnsupported = errors.New("provider type not supported by Tide")

// constructors maps each supported type to its constructor.
var constructors = map[string]func(Options) (Notifier, error){
	notificationv1.GenericProvider:     newGeneric,
	notificationv1.GenericHMACProvider: newGenericHMAC,
	notificationv1.SlackProvider:       newSlack,
	notificationv1.DiscordProvider:     newDiscord,
	notificationv1.MSTeamsProvider:     newMSTeams,
	notificationv1.GitHubProvider:      newGitHub,
	notificationv1.GitLabProvider:      newGitLab,
	notificationv1.GiteaProvider:       newGitea,
	// Comments on the change request of the event's change_request metadata.
	notificationv1.GitHubPullRequestCommentProvider:  newGitHubPRComment,
	notificationv1.GitLabMergeRequestCommentProvider: newGitLabMRComment,
	notificationv1.GiteaPullRequestCommentProvider:   newGiteaPRComment,
}

// Supported reports whether Tide can send to a Provider of this type.
func Supported(providerType string) bool {
	_, ok := constructors[providerType]
	return ok
}

// New returns the notifier for a Provider type, or an error saying what is
// wrong with its configuration (a type Tide lacks wraps ErrUnsupported).
func New(providerType string, o Options) (Notifier, error) {
	build, ok := constructors[providerType]
	if !ok {
		return nil, fmt.Errorf("%w: %q (supported: %s)", ErrUnsupported, providerType, SupportedTypes())
	}
	return build(o)
}

// IsCommitStatusType reports whether a Provider type sets Git commit
// statuses (the types that receive commit_status update events).
func IsCommitStatusType(providerType string) bool {
	switch providerType {
	case notificationv1.GitHubProvider, notificationv1.GitLabProvider, notificationv1.GiteaProvider,
		notificationv1.BitbucketProvider, notificationv1.BitbucketServerProvider, notificationv1.AzureDevOpsProvider:
		return true
	}
	return false
}

// IsChangeRequestType reports whether a Provider type comments on the
// pull or merge request of the event's change_request metadata.
func IsChangeRequestType(providerType string) bool {
	switch providerType {
	case notificationv1.GitHubPullRequestCommentProvider, notificationv1.GitLabMergeRequestCommentProvider,
		notificationv1.GiteaPullRequestCommentProvider:
		return true
	}
	return false
}

// parseURL checks that u is an absolute http(s) URL, as every HTTP type needs.
func parseURL(what, u string) (*url.URL, error) {
	parsed, err := url.ParseRequestURI(u)
	if err != nil || parsed.Host == "" || (parsed.Scheme != "http" && parsed.Scheme != "https") {
		return nil, fmt.Errorf("invalid %s URL %q: set spec.address (or the secret's address key) to an http(s) URL", what, u)
	}
	return parsed, nil
}
