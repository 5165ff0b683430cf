package gitclient

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"golang.org/x/crypto/ssh/knownhosts"
)

func TestClassify(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &net.OpError{Op: "connect", Err: syscall.ECONNREFUSED}}
	proxyAuth := &githttp.Err{Response: &http.Response{StatusCode: 407, Request: &http.Request{URL: &url.URL{Scheme: "http", Host: "h"}}}}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"401", fmt.Errorf("%w: Unauthorized", transport.ErrAuthenticationRequired), ErrAuthFailed},
		{"403", fmt.Errorf("%w: Forbidden", transport.ErrAuthorizationFailed), ErrAuthFailed},
		{"404 repository", fmt.Errorf("%w: Not Found", transport.ErrRepositoryNotFound), ErrRepositoryNotFound},
		{"empty repository", transport.ErrEmptyRemoteRepository, ErrRefNotFound},
		{"reference not found", plumbing.ErrReferenceNotFound, ErrRefNotFound},
		{"host key mismatch", fmt.Errorf("ssh: handshake failed: %w", &knownhosts.KeyError{Want: []knownhosts.KnownKey{{}}}), ErrAuthFailed},
		{"host key unknown", fmt.Errorf("ssh: handshake failed: %w", &knownhosts.KeyError{}), ErrAuthFailed},
		{"ssh auth refused", errors.New("ssh: handshake failed: ssh: unable to authenticate, attempted methods [none publickey]"), ErrAuthFailed},
		{"proxy auth 407 inside go-git's UnexpectedError", plumbing.NewUnexpectedError(proxyAuth), ErrAuthFailed},
		{"unknown CA", &url.Error{Op: "Get", URL: "https://h", Err: x509.UnknownAuthorityError{}}, ErrAuthFailed},
		{"wrong host in certificate", x509.HostnameError{Certificate: &x509.Certificate{}, Host: "h"}, ErrAuthFailed},
		{"client certificate required", errors.New("remote error: tls: certificate required"), ErrAuthFailed},
		{"connection refused inside UnexpectedError", plumbing.NewUnexpectedError(refused), ErrUnreachable},
		{"DNS", &net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true}, ErrUnreachable},
		{"deadline", fmt.Errorf("list: %w", context.DeadlineExceeded), ErrUnreachable},
		{"canceled is none", context.Canceled, nil},
		{"other", errors.New("something else"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := classify(tt.err)
			if got != tt.want {
				t.Fatalf("classify(%v) = %v, want %v", tt.err, got, tt.want)
			}
			wrapped := remoteError(tt.err, "op", nil)
			if tt.want != nil && !errors.Is(wrapped, tt.want) {
				t.Errorf("remoteError does not wrap %v: %v", tt.want, wrapped)
			}
			if !errors.Is(wrapped, tt.err) && !is(wrapped, tt.err) {
				t.Errorf("remoteError lost the cause: %v", wrapped)
			}
		})
	}
	if !errors.Is(ErrRepositoryNotFound, ErrRefNotFound) {
		t.Error("ErrRepositoryNotFound must match ErrRefNotFound")
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://host/org/repo.git", "https://host/org/repo.git"},
		{"https://alice:p%40ss@host/repo.git", "https://***@host/repo.git"},
		{"https://ghp_token@host/repo.git", "https://***@host/repo.git"},
		{"ssh://git@host/repo.git", "ssh://git@host/repo.git"},
		{"ssh://git:pw@host/repo.git", "ssh://***@host/repo.git"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}

	raw := "https://alice:p%40ss-word@host/repo.git"
	auth := &Auth{Method: &githttp.TokenAuth{Token: "tok-secret"}}
	auth, _ = auth.WithProxy("http://proxy:1", "u", "proxy-secret")
	cause := fmt.Errorf(`Get "%s/info/refs": tok-secret p@ss-word proxy-secret alice`, raw)
	msg := remoteError(cause, "cannot list refs of '"+RedactURL(raw)+"'", newRedactor(raw, auth)).Error()
	assertNoSecrets(t, msg, "p@ss-word", "p%40ss-word", "tok-secret", "proxy-secret", "alice")
	if !strings.Contains(msg, "https://***@host/repo.git/info/refs") {
		t.Errorf("message lost the redacted URL: %s", msg)
	}
}
