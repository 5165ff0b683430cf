package ociartifact

import (
	"crypto/tls"
	"net/http"
	"net/url"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// DefaultUserAgent is sent when Options.UserAgent is empty.
const DefaultUserAgent = "tide"

// Options say how a Client reaches a registry. The credentials are taken
// from the first of Username, DockerConfigJSON and Keychain that is set;
// with none, the registry is asked anonymously.
type Options struct {
	// Username and Password: basic credentials, sent to the registry or
	// exchanged for a token as the registry asks.
	Username, Password string
	// DockerConfigJSON: the content of a docker config JSON (a
	// kubernetes.io/dockerconfigjson Secret's .dockerconfigjson); the entry
	// of the registry's host is used.
	DockerConfigJSON []byte
	// Keychain: any other source of credentials, e.g. authn.DefaultKeychain
	// (~/.docker/config.json) for the CLI.
	Keychain authn.Keychain

	// TLSConfig: CA and client certificates for HTTPS registries.
	TLSConfig *tls.Config
	// ProxyURL: the proxy for every request; nil means none (the
	// environment's proxy settings are not read, as a controller must not
	// pick them up by accident).
	ProxyURL *url.URL
	// Insecure: the registry speaks plain HTTP (Flux's spec.insecure and
	// --insecure-registry). Loopback registries are reached over plain
	// HTTP in any case, when HTTPS fails.
	Insecure bool
	// UserAgent: sent with every request; DefaultUserAgent when empty.
	UserAgent string
	// Transport: when set, every request goes through it, and TLSConfig and
	// ProxyURL are not used (it is the caller's to apply them). Tests use it
	// to watch requests; a caller may share one to share connections.
	Transport http.RoundTripper
}

// Client talks to registries with one set of Options. It keeps what the
// registry's authentication handshake returned and its connections between
// calls; it is safe for concurrent use.
type Client struct {
	opts   Options
	puller *remote.Puller
	pusher *remote.Pusher
}

// NewClient checks opts and returns a client. Only the credentials can be
// wrong (ErrInvalidCredentials); nothing is sent yet.
func NewClient(opts Options) (*Client, error) {
	remoteOpts, err := remoteOptions(opts)
	if err != nil {
		return nil, err
	}
	puller, err := remote.NewPuller(remoteOpts...)
	if err != nil {
		return nil, err
	}
	pusher, err := remote.NewPusher(remoteOpts...)
	if err != nil {
		return nil, err
	}
	return &Client{opts: opts, puller: puller, pusher: pusher}, nil
}

func remoteOptions(opts Options) ([]remote.Option, error) {
	ua := opts.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	out := []remote.Option{remote.WithUserAgent(ua), remote.WithTransport(transportFor(opts))}
	switch {
	case opts.Username != "" || opts.Password != "":
		out = append(out, remote.WithAuth(&authn.Basic{Username: opts.Username, Password: opts.Password}))
	case opts.DockerConfigJSON != nil:
		kc, err := KeychainFromDockerConfig(opts.DockerConfigJSON)
		if err != nil {
			return nil, err
		}
		out = append(out, remote.WithAuthFromKeychain(kc))
	case opts.Keychain != nil:
		out = append(out, remote.WithAuthFromKeychain(opts.Keychain))
	default:
		out = append(out, remote.WithAuth(authn.Anonymous))
	}
	return out, nil
}

func transportFor(opts Options) http.RoundTripper {
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
	return t
}
