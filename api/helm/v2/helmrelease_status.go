package v2

// Accessors the shared reconcile skeleton uses, so that it can finish the
// status of any Tide kind without knowing its Go type.

// IsSuspended reports whether spec.suspend is set.
func (in *HelmRelease) IsSuspended() bool {
	return in.Spec.Suspend
}

// GetObservedGeneration returns status.observedGeneration.
func (in *HelmRelease) GetObservedGeneration() int64 {
	return in.Status.ObservedGeneration
}

// SetObservedGeneration sets status.observedGeneration.
func (in *HelmRelease) SetObservedGeneration(generation int64) {
	in.Status.ObservedGeneration = generation
}

// GetLastHandledReconcileRequest returns status.lastHandledReconcileAt.
func (in *HelmRelease) GetLastHandledReconcileRequest() string {
	return in.Status.GetLastHandledReconcileRequest()
}

// SetLastHandledReconcileRequest sets status.lastHandledReconcileAt.
func (in *HelmRelease) SetLastHandledReconcileRequest(token string) {
	in.Status.SetLastHandledReconcileRequest(token)
}
