package v2

import "github.com/fluxcd/pkg/apis/meta"

const (
	// ForceRequestAnnotation asks for one forced release even when nothing
	// changed. Its value is a token that must equal the value of
	// reconcile.fluxcd.io/requestedAt to take effect.
	ForceRequestAnnotation string = meta.ForceRequestAnnotation

	// ResetRequestAnnotation asks for the failure counters to be zeroed so
	// that exhausted retries start again. Its value is a token that must
	// equal the value of reconcile.fluxcd.io/requestedAt to take effect.
	ResetRequestAnnotation string = "reconcile.fluxcd.io/resetAt"
)

// ShouldHandleResetRequest reports whether a reset was asked for and not yet
// handled. It records the token in status.lastHandledResetAt either way, so
// that each token is looked at once.
func ShouldHandleResetRequest(obj *HelmRelease) bool {
	return meta.HandleAnnotationRequest(obj, ResetRequestAnnotation, &obj.Status.LastHandledResetAt)
}

// ShouldHandleForceRequest reports whether a forced release was asked for
// and not yet handled, recording the token in status.lastHandledForceAt.
func ShouldHandleForceRequest(obj *HelmRelease) bool {
	return meta.HandleAnnotationRequest(obj, ForceRequestAnnotation, &obj.Status.LastHandledForceAt)
}
