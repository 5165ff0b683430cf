package registry

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// The kinds of failure a user can act on; test them with errors.Is. Every
// error this package returns has a message written for the user, without
// secrets.
var (
	// ErrInvalidImage: spec.image cannot name a repository.
	ErrInvalidImage = errors.New("invalid image")
	// ErrInvalidCredentials: the docker config JSON cannot be read.
	ErrInvalidCredentials = errors.New("invalid registry credentials")
	// ErrUnauthorized: the registry refused the credentials (401 or 403).
	ErrUnauthorized = errors.New("registry refused the credentials")
	// ErrNotFound: the registry has no such repository or tag.
	ErrNotFound = errors.New("image not found")
	// ErrRateLimited: the registry still answered 429 after the retries,
	// or asked for a longer wait than a scan may take.
	ErrRateLimited = errors.New("registry rate limit")
	// ErrTLS: a certificate check failed (the registry's, or the client's
	// at the registry).
	ErrTLS = errors.New("TLS handshake failed")
)

type kindError struct {
	kind  error
	msg   string
	cause error
}

func (e *kindError) Error() string { return e.msg }

func (e *kindError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

func newError(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

func wrapError(kind, cause error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...), cause: cause}
}

// classify turns what the registry client returned into one of the kinds
// above with a message saying what to do; anything else (network trouble,
// 5xx) comes back wrapped as it is, a transient failure.
func classify(err error, doing string) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*kindError](err); ok {
		return err
	}
	var terr *transport.Error
	if errors.As(err, &terr) {
		switch {
		case terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden ||
			hasCode(terr, transport.UnauthorizedErrorCode, transport.DeniedErrorCode):
			return wrapError(ErrUnauthorized, err,
				"%s: the registry refused the credentials (HTTP %d): check the docker config Secret in spec.secretRef", doing, terr.StatusCode)
		case terr.StatusCode == http.StatusNotFound ||
			hasCode(terr, transport.NameUnknownErrorCode, transport.ManifestUnknownErrorCode):
			return wrapError(ErrNotFound, err,
				"%s: not found in the registry (%s): check spec.image, or the credentials if the registry hides private images", doing, diagnostics(terr))
		case terr.StatusCode == http.StatusTooManyRequests:
			return wrapError(ErrRateLimited, err,
				"%s: the registry's rate limit was hit (HTTP 429) and still was after retrying: lengthen spec.interval, or authenticate for a higher limit", doing)
		}
	}
	if isTLSError(err) {
		return wrapError(ErrTLS, err,
			"%s: %s: put the registry's CA in the ca.crt of spec.certSecretRef (and a client certificate in tls.crt and tls.key if the registry asks for one)", doing, err.Error())
	}
	return fmt.Errorf("%s: %w", doing, err)
}

func diagnostics(terr *transport.Error) string {
	parts := make([]string, 0, len(terr.Errors))
	for _, d := range terr.Errors {
		parts = append(parts, d.String())
	}
	if len(parts) == 0 {
		return fmt.Sprintf("HTTP %d", terr.StatusCode)
	}
	return strings.Join(parts, "; ")
}

func hasCode(terr *transport.Error, codes ...transport.ErrorCode) bool {
	for _, d := range terr.Errors {
		for _, c := range codes {
			if d.Code == c {
				return true
			}
		}
	}
	return false
}

// isTLSError reports a failed certificate check. The client's first
// request (its ping) joins the failures of its HTTPS and plain-HTTP tries
// into one message without their types, hence the look at the text.
func isTLSError(err error) bool {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var alert tls.AlertError
	if errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || errors.As(err, &alert) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "x509: ") || strings.Contains(msg, "tls: ")
}
