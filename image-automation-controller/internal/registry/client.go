package registry

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/url"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/tidegitops/tide/ociartifact"
)

// DefaultUserAgent is sent when Options.UserAgent is empty.
const DefaultUserAgent = "tide-image-automation-controller"

// Options say how a Client reaches a registry.
type Options struct {
	// DockerConfigJSON: the .dockerconfigjson of spec.secretRef; the entry
	// of the registry's host is used, else the registry is asked
	// anonymously.
	DockerConfigJSON []byte
	// TLSConfig: CA and client certificates (spec.certSecretRef).
	TLSConfig *tls.Config
	// ProxyURL: the proxy for every request (spec.proxySecretRef); nil is
	// none. The environment's proxy settings are not read.
	ProxyURL *url.URL
	// UserAgent: DefaultUserAgent when empty.
	UserAgent string
	// RateLimit: how 429 answers are waited out; the zero value is
	// DefaultRateLimit.
	RateLimit RateLimit
	// Transport: when set, requests go through it and TLSConfig and
	// ProxyURL are not used (tests watch requests with it).
	Transport http.RoundTripper
}

// Client asks registries for tags and digests with one set of Options. It
// keeps the registry's authentication handshake and its connections between
// calls, and is safe for concurrent use.
type Client struct {
	puller *remote.Puller
}

// New checks opts and returns a client; nothing is sent yet. Only the
// docker config JSON can be wrong (ErrInvalidCredentials).
func New(opts Options) (*Client, error) {
	auth := remote.WithAuth(authn.Anonymous)
	if opts.DockerConfigJSON != nil {
		kc, err := ociartifact.KeychainFromDockerConfig(opts.DockerConfigJSON)
		if err != nil {
			return nil, wrapError(ErrInvalidCredentials, err, "%s", err.Error())
		}
		auth = remote.WithAuthFromKeychain(kc)
	}
	ua := opts.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	puller, err := remote.NewPuller(
		auth,
		remote.WithUserAgent(ua),
		remote.WithTransport(&rateLimited{next: baseTransport(opts), limit: opts.RateLimit.orDefault()}),
		// 429s are waited out below, as the registry asks; the client's
		// own retries would not read Retry-After.
		remote.WithRetryStatusCodes(retriedStatusCodes...),
	)
	if err != nil {
		return nil, err
	}
	return &Client{puller: puller}, nil
}

// retriedStatusCodes are the client's default retried answers without 429.
var retriedStatusCodes = []int{
	http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway,
	http.StatusServiceUnavailable, http.StatusGatewayTimeout,
}

func baseTransport(opts Options) http.RoundTripper {
	if opts.Transport != nil {
		return opts.Transport
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	if opts.ProxyURL != nil {
		t.Proxy = http.ProxyURL(opts.ProxyURL)
	}
	if opts.TLSConfig != nil {
		t.TLSClientConfig = opts.TLSConfig.Clone()
	}
	t.IdleConnTimeout = 90 * time.Second
	return t
}

// ListTags returns every tag of repo, following the registry's pages
// (Link headers), asked 1000 at a time as Flux's client asks them (ECR
// refuses more).
func (c *Client) ListTags(ctx context.Context, repo name.Repository) ([]string, error) {
	tags, err := c.puller.List(ctx, repo)
	if err != nil {
		return nil, classify(err, "listing the tags of "+repo.String())
	}
	return tags, nil
}

// Digest returns the digest ("sha256:…") of the manifest repo:tag points
// to, with one HEAD request.
func (c *Client) Digest(ctx context.Context, repo name.Repository, tag string) (string, error) {
	ref := repo.Tag(tag)
	desc, err := c.puller.Head(ctx, ref)
	if err != nil {
		return "", classify(err, "reading the digest of "+ref.String())
	}
	return desc.Digest.String(), nil
}
