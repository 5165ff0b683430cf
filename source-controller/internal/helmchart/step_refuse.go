package helmchart

import (
	"context"

	"github.com/fluxcd/pkg/runtime/conditions"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
)

// verificationUnsupportedReason stalls a HelmChart asking for a signature
// check: Tide cannot verify cosign or notation signatures yet, and serving
// the chart unverified would pretend it was.
const verificationUnsupportedReason = "VerificationUnsupported"

// refuseUnsupported stalls what Tide does not implement, instead of
// accepting it and ignoring it.
func (r *Reconciler) refuseUnsupported(_ context.Context, s *scope) error {
	if v := s.obj.Spec.Verify; v != nil {
		err := skeleton.Stall(verificationUnsupportedReason,
			"spec.verify (provider '%s'): Tide does not verify cosign or notation signatures of Helm charts yet; "+
				"remove spec.verify to use the chart unverified, or reconcile this HelmChart with Flux's source-controller",
			v.Provider)
		conditions.MarkFalse(s.obj, sourcev1.SourceVerifiedCondition, verificationUnsupportedReason, "%s", err.Error())
		return err
	}
	conditions.Delete(s.obj, sourcev1.SourceVerifiedCondition)
	if s.obj.Spec.SourceRef.Kind == "Bucket" {
		return failed(s.obj, sourcev1.FetchFailedCondition, skeleton.Stall("UnsupportedSourceKind",
			"spec.sourceRef.kind Bucket: Tide has no Bucket source yet; keep the chart in a GitRepository or a HelmRepository"))
	}
	return nil
}
