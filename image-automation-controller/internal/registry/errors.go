package registry

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/tidegitops/tide/ociartifact"
)

// The kinds of failure a user can act on; test them with errors.Is. Every
// error this package returns has a message written for the user, without
// secrets. The kinds a registry's answer shares with OCI artifacts (refused
// credentials, nothing found) are ociartifact's, classified by its code.
var (
	// ErrInvalidImage: spec.image cannot name a repository.
	ErrInvalidImage = errors.New("invalid image")
	// ErrInvalidCredentials: the docker config JSON cannot be read.
	ErrInvalidCredentials = ociartifact.ErrInvalidCredentials
	// ErrUnauthorized: the registry refused the credentials (401 or 403).
	ErrUnauthorized = ociartifact.ErrUnauthorized
	// ErrNotFound: the registry has no such repository or tag.
	ErrNotFound = ociartifact.ErrNotFound
	// ErrRateLimited: the registry still answered 429 after the retries,
	// or asked for a longer wait than a scan may take.
	ErrRateLimited = errors.New("registry rate limit")
	// ErrTLS: a certificate check failed (the registry's, or the client's
	// at the registry).
	ErrTLS = errors.New("TLS handshake failed")
)

func newError(kind error, format string, args ...any) error {
	return ociartifact.NewError(kind, format, args...)
}

func wrapError(kind, cause error, format string, args ...any) error {
	return ociartifact.WrapError(kind, cause, format, args...)
}

// hints word ociartifact's classification for an ImageRepository.
var hints = ociartifact.Hints{
	Unauthorized: "check the docker config Secret in spec.secretRef",
	NotFound:     "check spec.image, or the credentials if the registry hides private images",
}

// classify turns what the registry client returned into one of the kinds
// above with a message saying what to do; anything else (network trouble,
// 5xx) comes back wrapped as it is, a transient failure.
func classify(err error, doing string) error {
	if err == nil || ociartifact.Classified(err) {
		return err
	}
	if classified := ociartifact.ClassifyResponse(err, doing, hints); classified != nil {
		return classified
	}
	if terr, ok := errors.AsType[*transport.Error](err); ok && terr.StatusCode == http.StatusTooManyRequests {
		return wrapError(ErrRateLimited, err,
			"%s: the registry's rate limit was hit (HTTP 429) and still was after retrying: lengthen spec.interval, or authenticate for a higher limit", doing)
	}
	if isTLSError(err) {
		return wrapError(ErrTLS, err,
			"%s: %s: put the registry's CA in the ca.crt of spec.certSecretRef (and a client certificate in tls.crt and tls.key if the registry asks for one)", doing, err.Error())
	}
	return fmt.Errorf("%s: %w", doing, err)
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
