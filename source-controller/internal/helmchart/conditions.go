package helmchart

import (
	"github.com/fluxcd/pkg/runtime/conditions"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/chartbuild"
)

// failed marks a negative-polarity condition (FetchFailed, BuildFailed,
// StorageOperationFailed) True with err's reason and message, clears the
// other failure condition of the build, and returns err so the skeleton
// turns it into Ready as well.
func failed(obj *sourcev1.HelmChart, condition string, err error) error {
	switch condition {
	case sourcev1.FetchFailedCondition:
		conditions.Delete(obj, sourcev1.BuildFailedCondition)
	case sourcev1.BuildFailedCondition:
		conditions.Delete(obj, sourcev1.FetchFailedCondition)
	}
	conditions.MarkTrue(obj, condition, skeleton.ReasonOf(err), "%s", err.Error())
	return err
}

// buildFailed turns a chartbuild failure into what the user sees, as Flux
// does: failures of the reference, the version metadata or the values
// files stall (a change of the spec or the source fixes them, and both
// trigger a reconciliation); the others are retried with backoff. Fetching
// failures show as FetchFailed, the rest as BuildFailed. hint says what to
// do, after the error.
func buildFailed(obj *sourcev1.HelmChart, err error, hint string) error {
	e, ok := chartbuild.AsError(err)
	if !ok {
		return failed(obj, sourcev1.FetchFailedCondition, skeleton.Retry(sourcev1.UnknownBuildErrorReason, err))
	}
	msg := e.Error()
	if hint != "" {
		msg += ": " + hint
	}
	condition := sourcev1.BuildFailedCondition
	if e.FetchFailure() {
		condition = sourcev1.FetchFailedCondition
	}
	if e.Persistent() {
		return failed(obj, condition, skeleton.Stall(e.Reason, "%s", msg))
	}
	return failed(obj, condition, skeleton.Retryf(e.Reason, "%s", msg))
}
