package chartbuild

import (
	"errors"
	"fmt"
)

// Reasons of build failures, spelled as Flux's source-controller spells
// them in HelmChart conditions.
const (
	ReasonChartReference = "InvalidChartReference"
	ReasonChartPull      = "ChartPullError"
	ReasonMetadataPatch  = "MetadataPatchError"
	ReasonValuesFiles    = "ValuesFilesError"
	ReasonDependency     = "DependencyBuildError"
	ReasonChartPackage   = "ChartPackageError"
)

// Error is a build failure with the reason to show.
type Error struct {
	Reason string
	Err    error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Persistent reports whether only a change by the user (the spec, or the
// source's content) can fix the failure, as Flux decides it: such failures
// stall instead of being retried with backoff.
func (e *Error) Persistent() bool {
	switch e.Reason {
	case ReasonChartReference, ReasonMetadataPatch, ReasonValuesFiles:
		return true
	}
	return false
}

// FetchFailure reports whether the failure is in getting the chart (Flux's
// FetchFailed condition) rather than in building it (BuildFailed).
func (e *Error) FetchFailure() bool {
	return e.Reason == ReasonChartReference || e.Reason == ReasonChartPull
}

func newError(reason, format string, args ...any) *Error {
	return &Error{Reason: reason, Err: fmt.Errorf(format, args...)}
}

// AsError returns err's *Error, if it has one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
