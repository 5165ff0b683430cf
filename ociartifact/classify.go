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
	if err == nil || Classified(err) {
		return err
	}
	hints := Hints{
		Unauthorized: "check the username and password, or the docker config Secret",
		NotFound:     "check the repository, tag or digest",
	}
	if classified := ClassifyResponse(err, doing+" "+url, hints); classified != nil {
		return classified
	}
	return fmt.Errorf("%s %s: %w", doing, url, err)
}

// Hints are what a classified registry answer tells the user to check,
// in the words of the object they wrote.
type Hints struct {
	// Unauthorized follows a 401 or 403.
	Unauthorized string
	// NotFound follows a 404 (or a registry's "unknown" error code).
	NotFound string
}

// ClassifyResponse turns a registry's refusal of the credentials into
// ErrUnauthorized and its "no such repository, tag, digest or blob" into
// ErrNotFound, with a message of the form "<doing>: <what the registry
// said>: <hint>". It returns nil for any other error (network, 5xx, 429),
// for the caller to classify or wrap.
func ClassifyResponse(err error, doing string, hints Hints) error {
	var terr *transport.Error
	if !errors.As(err, &terr) {
		return nil
	}
	switch {
	case terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden ||
		hasCode(terr, transport.UnauthorizedErrorCode, transport.DeniedErrorCode):
		return wrapError(ErrUnauthorized, err,
			"%s: the registry refused the credentials (HTTP %d): %s", doing, terr.StatusCode, hints.Unauthorized)
	case terr.StatusCode == http.StatusNotFound ||
		hasCode(terr, transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode, transport.BlobUnknownErrorCode):
		return wrapError(ErrNotFound, err,
			"%s: not found in the registry (%s): %s", doing, diagnostics(terr), hints.NotFound)
	}
	return nil
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
