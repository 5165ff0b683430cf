package skeleton

import (
	"errors"
	"fmt"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
)

// StalledError means the user must act (fix the spec, a Secret, the
// repository): retrying cannot help, so the object is marked Stalled and not
// requeued until it changes.
type StalledError struct {
	Reason  string
	Message string
}

func (e *StalledError) Error() string { return e.Message }

// Stall returns a StalledError with a message built from format and args.
func Stall(reason, format string, args ...any) error {
	return &StalledError{Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// WaitError means something outside the object is not ready yet (a
// dependency, a source without an artifact): the object is requeued after
// After without counting as a failure for backoff.
type WaitError struct {
	Reason  string
	Message string
	After   time.Duration
}

func (e *WaitError) Error() string { return e.Message }

// Wait returns a WaitError that requeues after the given delay.
func Wait(after time.Duration, reason, format string, args ...any) error {
	return &WaitError{Reason: reason, Message: fmt.Sprintf(format, args...), After: after}
}

// RetryError is a transient failure with the reason to show in Ready; it is
// retried with the controller's exponential backoff. Any error that is not
// one of the three kinds is treated as a RetryError with reason
// ReconciliationFailed.
type RetryError struct {
	Reason string
	Err    error
}

func (e *RetryError) Error() string { return e.Err.Error() }
func (e *RetryError) Unwrap() error { return e.Err }

// Retry wraps err with the reason shown in the Ready condition.
func Retry(reason string, err error) error {
	if err == nil {
		return nil
	}
	return &RetryError{Reason: reason, Err: err}
}

// Retryf is Retry with a formatted error.
func Retryf(reason, format string, args ...any) error {
	return &RetryError{Reason: reason, Err: fmt.Errorf(format, args...)}
}

// ReasonOf returns the reason an error carries, defaulting to
// ReconciliationFailed for plain errors.
func ReasonOf(err error) string {
	var stalled *StalledError
	var wait *WaitError
	var retry *RetryError
	switch {
	case errors.As(err, &stalled):
		return stalled.Reason
	case errors.As(err, &wait):
		return wait.Reason
	case errors.As(err, &retry):
		return retry.Reason
	default:
		return meta.ReconciliationFailedReason
	}
}
