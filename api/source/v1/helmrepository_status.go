package v1

// Accessors the shared reconcile skeleton uses, so that it can finish the
// status of any Tide kind without knowing its Go type.

// IsSuspended reports whether spec.suspend is set.
func (in *HelmRepository) IsSuspended() bool {
	return in.Spec.Suspend
}

// GetObservedGeneration returns status.observedGeneration.
func (in *HelmRepository) GetObservedGeneration() int64 {
	return in.Status.ObservedGeneration
}

// SetObservedGeneration sets status.observedGeneration.
func (in *HelmRepository) SetObservedGeneration(generation int64) {
	in.Status.ObservedGeneration = generation
}

// GetLastHandledReconcileRequest returns status.lastHandledReconcileAt.
func (in *HelmRepository) GetLastHandledReconcileRequest() string {
	return in.Status.GetLastHandledReconcileRequest()
}

// SetLastHandledReconcileRequest sets status.lastHandledReconcileAt.
func (in *HelmRepository) SetLastHandledReconcileRequest(token string) {
	in.Status.SetLastHandledReconcileRequest(token)
}
