package v1

// HealthyCondition reports the last health assessment of the applied objects.
const HealthyCondition string = "Healthy"

// Reasons a Kustomization's conditions carry; the names are Flux's.
const (
	PruneFailedReason             string = "PruneFailed"
	ArtifactFailedReason          string = "ArtifactFailed"
	BuildFailedReason             string = "BuildFailed"
	HealthCheckFailedReason       string = "HealthCheckFailed"
	DependencyNotReadyReason      string = "DependencyNotReady"
	ReconciliationSucceededReason string = "ReconciliationSucceeded"
	ReconciliationFailedReason    string = "ReconciliationFailed"
	ProgressingWithRetryReason    string = "ProgressingWithRetry"
)
