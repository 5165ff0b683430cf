package gitrepository

import (
	"errors"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/sourcetree"
)

// tooManyLinked turns a walk stopped by sourcetree's bounds on what symlinked
// folders may copy into a failure the user can act on, or returns nil for
// any other error. Retrying the same commit cannot help, but a new commit
// can, so it waits for the next interval (no backoff) instead of stalling:
// a stalled object would never poll for that commit. The last artifact
// stays served: nothing was written.
func tooManyLinked(obj *sourcev1.GitRepository, err error) error {
	var limit *sourcetree.LimitError
	if !errors.As(err, &limit) {
		return nil
	}
	return skeleton.Wait(obj.GetRequeueAfter(), sourcev1.ArchiveOperationFailedReason,
		"%s: remove or narrow the symlinked folders, or exclude them with spec.ignore "+
			"(a folder spec.ignore excludes is not read while spec.ignore has no '!' pattern); "+
			"the last artifact stays served", limit.Error())
}
