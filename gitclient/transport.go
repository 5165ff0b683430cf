package gitclient

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
)

// transportOptions is what every go-git call takes from an Auth.
type transportOptions struct {
	method                transport.AuthMethod
	caBundle              []byte
	clientCert, clientKey []byte
	proxy                 transport.ProxyOptions
}

// options checks that a can be used for repoURL and returns the options for
// one operation bounded by ctx.
func (a *Auth) options(ctx context.Context, repoURL string) (transportOptions, error) {
	ep, err := transport.NewEndpoint(repoURL)
	if err != nil {
		return transportOptions{}, invalidURL(nil, err)
	}
	if a == nil {
		a = &Auth{}
	}
	o := transportOptions{method: a.Method, caBundle: a.CABundle,
		clientCert: a.ClientCert, clientKey: a.ClientKey, proxy: a.Proxy}
	if ep.Protocol == "ssh" {
		pk, ok := a.Method.(*gitssh.PublicKeys)
		if a.Method == nil {
			return o, newError(ErrInvalidAuth,
				"ssh URL needs a secret with '%s' and '%s' keys", KeyIdentity, KeyKnownHosts)
		}
		if ok {
			o.method = &sshTimeoutAuth{PublicKeys: pk, timeout: timeoutOf(ctx), algorithms: a.SSH}
		}
	}
	return o, nil
}

func timeoutOf(ctx context.Context) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		if t := time.Until(d); t > 0 {
			return t
		}
		return time.Millisecond
	}
	return 0
}

// sshTimeoutAuth bounds the SSH dial and handshake, which go-git does not
// tie to the context, and sets the algorithms of the connection.
type sshTimeoutAuth struct {
	*gitssh.PublicKeys
	timeout    time.Duration
	algorithms SSHAlgorithms
}

func (a *sshTimeoutAuth) ClientConfig() (*ssh.ClientConfig, error) {
	c, err := a.PublicKeys.ClientConfig()
	if err != nil {
		return c, err
	}
	if a.timeout > 0 {
		c.Timeout = a.timeout
	}
	a.algorithms.apply(c)
	return c, nil
}

// invalidURL reports an unparsable repository URL without quoting it, as it
// may hold credentials.
func invalidURL(kind, err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return newError(kind, "the repository URL is not valid: %v", uerr.Err)
	}
	return newError(kind, "the repository URL is not valid: it must be an absolute http://, https:// or ssh:// URL")
}
