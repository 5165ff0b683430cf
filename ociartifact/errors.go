package ociartifact

import (
	"errors"
	"fmt"
)

// The kinds of failure a user can fix. Test them with errors.Is; the error
// itself carries a message written for the user, without secrets.
var (
	// ErrInvalidURL: the URL is not oci://<host>/<repository>[:<tag>|@<digest>].
	ErrInvalidURL = errors.New("invalid artifact URL")
	// ErrInvalidCredentials: the docker config JSON or the credentials given
	// cannot be read.
	ErrInvalidCredentials = errors.New("invalid registry credentials")
	// ErrUnauthorized: the registry refused the credentials (401 or 403).
	ErrUnauthorized = errors.New("registry refused the credentials")
	// ErrNotFound: the repository, tag or digest does not exist.
	ErrNotFound = errors.New("artifact not found")
	// ErrUnsupportedManifest: the reference names something other than an
	// image manifest (an index, say).
	ErrUnsupportedManifest = errors.New("unsupported manifest")
	// ErrLayerNotFound: the manifest has no layer of the wanted media type.
	ErrLayerNotFound = errors.New("artifact layer not found")
	// ErrTooLarge: a layer, or what it unpacks to, is over the size limit.
	ErrTooLarge = errors.New("artifact too large")
	// ErrUnsafeArchive: a layer entry would be written, or would point,
	// outside the destination.
	ErrUnsafeArchive = errors.New("unsafe artifact layer")
	// ErrInvalidArchive: a layer is not a valid gzip-compressed tarball.
	ErrInvalidArchive = errors.New("invalid artifact layer")
)

// kindError is an error of one of the kinds above (or of a kind of a
// package using NewError). Its message is complete on its own, so it reads
// well in a condition, and it unwraps to both its kind and its cause.
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

// NewError returns an error of the given kind (errors.Is finds it) whose
// message is the formatted text alone, written for the user. Other packages
// talking to registries use it for their own kinds, so that Classified and
// ClassifyResponse treat their errors as they treat this package's.
func NewError(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// WrapError is NewError with an underlying cause that errors.Is and
// errors.As still reach; the message is the caller's to write.
func WrapError(kind, cause error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...), cause: cause}
}

// Classified reports whether err (or an error it wraps) came from NewError
// or WrapError: its message already says what to do.
func Classified(err error) bool {
	_, ok := errors.AsType[*kindError](err)
	return ok
}

func newError(kind error, format string, args ...any) error {
	return NewError(kind, format, args...)
}

func wrapError(kind, cause error, format string, args ...any) error {
	return WrapError(kind, cause, format, args...)
}
