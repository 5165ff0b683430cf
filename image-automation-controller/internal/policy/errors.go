package policy

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidPolicy: spec.policy or spec.filterTags cannot be used;
	// only changing the ImagePolicy helps.
	ErrInvalidPolicy = errors.New("invalid policy")
	// ErrNoMatch: no tag passes the filter and the policy.
	ErrNoMatch = errors.New("no tag matches the policy")
	// ErrInvalidTag: a tag the numerical policy must compare is not a
	// number.
	ErrInvalidTag = errors.New("tag is not a number")
)

type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

func newError(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}
