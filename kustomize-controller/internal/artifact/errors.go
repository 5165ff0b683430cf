package artifact

import (
	"errors"
	"fmt"
	"net/url"
)

// The kinds of failure a Get can report. Test them with errors.Is; the error
// itself carries a message written for the user.
var (
	// ErrInvalidDigest: the digest is not "<algo>:<hex>" with a supported algorithm.
	ErrInvalidDigest = errors.New("invalid artifact digest")
	// ErrDownload: the source-controller could not be reached or did not serve the artifact.
	ErrDownload = errors.New("artifact download failed")
	// ErrDigestMismatch: the downloaded bytes do not hash to the expected digest.
	ErrDigestMismatch = errors.New("artifact digest mismatch")
	// ErrTooLarge: the artifact, packed or unpacked, is over the size or entry limit.
	ErrTooLarge = errors.New("artifact too large")
	// ErrUnsafeArchive: an entry would be written, or would point, outside the unpack root.
	ErrUnsafeArchive = errors.New("unsafe artifact")
	// ErrInvalidArchive: the artifact is not a gzip-compressed tarball.
	ErrInvalidArchive = errors.New("invalid artifact archive")
)

// maxSizeFlag is the controller flag that raises Options.MaxSize; messages
// name it so the user knows what to change.
const maxSizeFlag = "--max-artifact-size"

// kindError is an error of one of the kinds above. Its message is complete
// on its own, so it reads well in a condition, and it unwraps to both its kind
// and the underlying cause.
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

// newError returns an error of the given kind with a formatted message.
func newError(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// wrapError is newError for a failure with an underlying cause, which
// errors.Is and errors.As can still reach. The message is the caller's to
// write, so that advice can follow the cause's text.
func wrapError(kind, cause error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...), cause: cause}
}

// redactURL returns the URL without userinfo, query or fragment, fit to be
// shown to anyone who can read the Kustomization's status.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		// The raw text may still hold a password; show nothing of it.
		return "<unparsable URL>"
	}
	u.User = nil
	u.RawQuery = ""
	u.ForceQuery = false
	u.Fragment = ""
	u.RawFragment = ""
	return u.String()
}
