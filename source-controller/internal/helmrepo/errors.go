package helmrepo

import (
	"errors"
	"fmt"
	"net/http"
)

var (
	// ErrUnauthorized: the server answered 401 or 403.
	ErrUnauthorized = errors.New("the repository refused the request")
	// ErrNotFound: the server answered 404.
	ErrNotFound = errors.New("not found")
	// ErrTooLarge: the response is over the size cap.
	ErrTooLarge = errors.New("over the size limit")
	// ErrTLS: the TLS handshake failed (unknown CA, wrong host name, a
	// client certificate missing or refused, or a plain HTTP server).
	ErrTLS = errors.New("TLS handshake failed")
	// ErrInvalidURL: the URL is not an http(s) URL.
	ErrInvalidURL = errors.New("invalid URL")
	// ErrInvalidSecret: a Secret's data cannot be used.
	ErrInvalidSecret = errors.New("invalid secret")
)

// StatusError is an answer other than 200 OK.
type StatusError struct {
	URL  string // without credentials
	Code int
}

func (e *StatusError) Error() string {
	what := "check that the URL is right and the server works"
	switch e.Code {
	case http.StatusUnauthorized:
		what = "give credentials in spec.secretRef ('username' and 'password'), or check them"
	case http.StatusForbidden:
		what = "check the credentials in spec.secretRef ('username' and 'password') and their rights"
	case http.StatusNotFound:
		what = "check the URL: no chart repository index or chart is there"
	}
	return fmt.Sprintf("GET %s: %d %s: %s", e.URL, e.Code, http.StatusText(e.Code), what)
}

// Is makes errors.Is(err, ErrUnauthorized) and ErrNotFound work.
func (e *StatusError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.Code == http.StatusUnauthorized || e.Code == http.StatusForbidden
	case ErrNotFound:
		return e.Code == http.StatusNotFound
	}
	return false
}
