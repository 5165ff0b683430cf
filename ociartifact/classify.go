package ociartifact

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// classify turns a registry's answer into one of the package's error kinds,
// with a message that says what to do; other errors (network, 5xx) are
// returned wrapped with what was being done, as transient.
func classify(err error, doing, url string) error {
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
				"%s %s: the registry refused the credentials (HTTP %d): check the username and password, or the docker config Secret",
				doing, url, terr.StatusCode)
		case terr.StatusCode == http.StatusNotFound ||
			hasCode(terr, transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode, transport.BlobUnknownErrorCode):
			return wrapError(ErrNotFound, err,
				"%s %s: not found in the registry (%s): check the repository, tag or digest", doing, url, diagnostics(terr))
		}
	}
	return fmt.Errorf("%s %s: %w", doing, url, err)
}

// diagnostics is what the registry said, without the request line: its
// error codes and messages, or the HTTP status.
func diagnostics(terr *transport.Error) string {
	var parts []string
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
