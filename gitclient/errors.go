package gitclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"syscall"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Sentinel errors. Every error this package returns for one of these causes
// wraps the sentinel, so callers classify with errors.Is.
var (
	// ErrRefNotFound: the branch, tag, ref name or commit does not exist on
	// the remote, no tag matches the semver range, or the ref is malformed.
	ErrRefNotFound = errors.New("reference not found")
	// ErrRepositoryNotFound: the server says the repository does not exist
	// (or the credentials may not see it). It also matches ErrRefNotFound.
	ErrRepositoryNotFound = fmt.Errorf("repository not found: %w", ErrRefNotFound)
	// ErrAuthFailed: the server refused the credentials (HTTP 401/403/407,
	// SSH authentication refused), or the server could not be trusted (SSH
	// host key not in or different from 'known_hosts', TLS certificate not
	// signed by a trusted CA, client certificate required).
	ErrAuthFailed = errors.New("authentication failed")
	// ErrUnreachable: the server could not be reached (DNS, connection
	// refused, timeout, connection dropped).
	ErrUnreachable = errors.New("remote unreachable")
	// ErrInvalidAuth: the credentials secret is unusable; the user must fix
	// the secret.
	ErrInvalidAuth = errors.New("invalid credentials secret")
	// ErrVerification: a signature is missing, made by an untrusted key, or
	// the trusted keys are unusable.
	ErrVerification = errors.New("signature verification failed")
)

// gitError carries a message safe to show to users (credentials redacted),
// the sentinel it belongs to and the underlying cause for errors.Is/As.
type gitError struct {
	kind  error
	msg   string
	cause error
}

func (e *gitError) Error() string { return e.msg }

func (e *gitError) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.kind != nil {
		errs = append(errs, e.kind)
	}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

func newError(kind error, format string, args ...any) error {
	return &gitError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// remoteError wraps an error from talking to the remote: it classifies it,
// adds a hint for the user, and redacts credentials from the message.
func remoteError(err error, op string, r redactor) error {
	if err == nil {
		return nil
	}
	var ge *gitError
	if errors.As(err, &ge) {
		return err
	}
	kind, hint := classify(err)
	msg := op
	if hint != "" {
		msg += ": " + hint
	}
	msg += ": " + strings.TrimSuffix(strings.TrimSpace(err.Error()), ":")
	return &gitError{kind: kind, msg: r.redact(msg), cause: err}
}

// classify maps an error from go-git, net/http, crypto/tls or x/crypto/ssh to
// one of the sentinels (nil when it is none of them) and a hint for the user.
func classify(err error) (kind error, hint string) {
	var (
		keyErr  *knownhosts.KeyError
		httpErr *githttp.Err
		dnsErr  *net.DNSError
		netErr  net.Error
		unknown x509.UnknownAuthorityError
		invalid x509.CertificateInvalidError
		hostErr x509.HostnameError
		verify  *tls.CertificateVerificationError
	)
	msg := err.Error()
	switch {
	case is(err, ErrRefNotFound):
		return ErrRefNotFound, ""
	case is(err, transport.ErrAuthenticationRequired):
		return ErrAuthFailed, "the server requires valid credentials: check the secret"
	case is(err, transport.ErrAuthorizationFailed):
		return ErrAuthFailed, "the credentials are not allowed to read the repository"
	case is(err, transport.ErrRepositoryNotFound):
		return ErrRepositoryNotFound, "check the URL, and that the credentials can see the repository"
	case is(err, transport.ErrEmptyRemoteRepository):
		return ErrRefNotFound, "the repository has no commits"
	case is(err, plumbing.ErrReferenceNotFound), is(err, gogit.NoMatchingRefSpecError{}),
		is(err, plumbing.ErrObjectNotFound):
		return ErrRefNotFound, ""
	case as(err, &keyErr) && len(keyErr.Want) > 0, strings.Contains(msg, "knownhosts: key mismatch"):
		return ErrAuthFailed, "the server's SSH host key does not match 'known_hosts'"
	case strings.Contains(msg, "no common algorithm for host key"):
		return ErrAuthFailed, "the server's SSH host key does not match 'known_hosts' (no key of the type the server offers), " +
			"or is of no type the controller's --ssh-hostkey-algos allows"
	case strings.Contains(msg, "no common algorithm for key exchange"):
		// Not the credentials, not the network: the controller's
		// --ssh-kex-algos and the server have no algorithm in common.
		return nil, "the SSH server supports none of the key exchange algorithms the controller offers: check its --ssh-kex-algos"
	case as(err, &keyErr), strings.Contains(msg, "knownhosts: key is unknown"):
		return ErrAuthFailed, "the server's SSH host key is not in 'known_hosts'"
	case strings.Contains(msg, "ssh: unable to authenticate"):
		return ErrAuthFailed, "the SSH server refused the 'identity' key"
	case as(err, &httpErr) && httpErr.StatusCode() == 407:
		return ErrAuthFailed, "the proxy refused the proxy credentials"
	case as(err, &unknown), as(err, &invalid), as(err, &verify),
		strings.Contains(msg, "x509: certificate signed by unknown authority"):
		return ErrAuthFailed, "the server's TLS certificate is not trusted: put its CA under 'ca.crt'"
	case as(err, &hostErr):
		return ErrAuthFailed, "the server's TLS certificate is not valid for this host"
	case strings.Contains(msg, "tls: certificate required"), strings.Contains(msg, "tls: bad certificate"),
		strings.Contains(msg, "tls: unknown certificate authority"):
		return ErrAuthFailed, "the server wants a trusted client certificate: check 'tls.crt' and 'tls.key'"
	case is(err, context.DeadlineExceeded):
		return ErrUnreachable, "timed out"
	case is(err, context.Canceled):
		return nil, ""
	case as(err, &dnsErr):
		return ErrUnreachable, "cannot resolve the host name"
	case is(err, syscall.ECONNREFUSED), strings.Contains(msg, "connection refused"):
		return ErrUnreachable, "connection refused"
	case as(err, &netErr) && netErr.Timeout(), strings.Contains(msg, "i/o timeout"):
		return ErrUnreachable, "timed out"
	case is(err, syscall.ECONNRESET), is(err, syscall.EHOSTUNREACH), is(err, syscall.ENETUNREACH),
		strings.Contains(msg, "no such host"), strings.Contains(msg, "connection reset"):
		return ErrUnreachable, "cannot connect"
	}
	var opErr *net.OpError
	if as(err, &opErr) {
		return ErrUnreachable, "cannot connect"
	}
	return nil, ""
}

// unwrapAll returns err and everything it wraps, including through go-git's
// UnexpectedError and PermanentError, which do not implement Unwrap.
func unwrapAll(err error) []error {
	var out []error
	stack := []error{err}
	for len(stack) > 0 && len(out) < 64 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if e == nil {
			continue
		}
		out = append(out, e)
		switch x := e.(type) {
		case *plumbing.UnexpectedError:
			stack = append(stack, x.Err)
		case *plumbing.PermanentError:
			stack = append(stack, x.Err)
		case interface{ Unwrap() error }:
			stack = append(stack, x.Unwrap())
		case interface{ Unwrap() []error }:
			stack = append(stack, x.Unwrap()...)
		}
	}
	return out
}

func is(err, target error) bool {
	for _, e := range unwrapAll(err) {
		if errors.Is(e, target) {
			return true
		}
	}
	return false
}

func as[T any](err error, target *T) bool {
	for _, e := range unwrapAll(err) {
		if errors.As(e, target) {
			return true
		}
	}
	return false
}

// redactor removes credentials from messages: the userinfo of repository
// URLs and the secret strings of an Auth (password, token, proxy password).
type redactor []*strings.Replacer

func newRedactor(repoURL string, auth *Auth) redactor {
	var secrets []string
	if u, err := url.Parse(repoURL); err == nil && u.User != nil {
		secrets = append(secrets, u.User.String())
		if p, ok := u.User.Password(); ok {
			secrets = append(secrets, p, url.QueryEscape(p), url.PathEscape(p))
		}
		if u.Scheme != "ssh" {
			// Over HTTP, a user name alone is often a token.
			secrets = append(secrets, u.User.Username())
		}
	}
	if auth != nil {
		secrets = append(secrets, auth.secrets()...)
	}
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	var pairs []string
	if repoURL != "" {
		pairs = append(pairs, repoURL, RedactURL(repoURL))
	}
	seen := map[string]bool{}
	for _, s := range secrets {
		// Very short strings would mangle every message; the URL itself is
		// replaced whole above whatever the length of its credentials.
		if seen[s] || len(s) < 4 {
			continue
		}
		seen[s] = true
		pairs = append(pairs, s, "***")
	}
	return redactor{strings.NewReplacer(pairs...)}
}

func (r redactor) and(o redactor) redactor { return append(append(redactor{}, r...), o...) }

func (r redactor) redact(s string) string {
	for _, x := range r {
		s = x.Replace(s)
	}
	return s
}

// RedactURL returns the URL with its credentials hidden: over HTTP(S) the
// whole userinfo, over SSH only a password (the user name is kept).
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, hasPass := u.User.Password(); u.Scheme == "ssh" && !hasPass {
		return raw
	}
	u.User = nil
	s := u.String()
	return strings.Replace(s, "://", "://***@", 1)
}
