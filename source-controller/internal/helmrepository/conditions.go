package helmrepository

import (
	"github.com/fluxcd/pkg/runtime/conditions"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
)

// failed marks a negative-polarity condition (FetchFailed,
// StorageOperationFailed) True with err's reason and message, and returns
// err so the skeleton turns it into Ready as well.
func failed(obj *sourcev1.HelmRepository, condition string, err error) error {
	conditions.MarkTrue(obj, condition, skeleton.ReasonOf(err), "%s", err.Error())
	return err
}
