package v2

// Condition types a HelmRelease carries besides Ready, Reconciling and
// Stalled; the names are Flux's.
const (
	// ReleasedCondition reports the last install or upgrade (and its tests)
	// of the current desired state.
	ReleasedCondition string = "Released"

	// TestSuccessCondition reports the last run of the chart's tests.
	TestSuccessCondition string = "TestSuccess"

	// RemediatedCondition reports the last rollback or uninstall done after
	// a failed release.
	RemediatedCondition string = "Remediated"

	// DriftedCondition reports that the cluster no longer matches the
	// release's manifest.
	DriftedCondition string = "Drifted"
)

// Reasons a HelmRelease's conditions carry; the names are Flux's.
const (
	InstallSucceededReason   string = "InstallSucceeded"
	InstallFailedReason      string = "InstallFailed"
	UpgradeSucceededReason   string = "UpgradeSucceeded"
	UpgradeFailedReason      string = "UpgradeFailed"
	TestSucceededReason      string = "TestSucceeded"
	TestFailedReason         string = "TestFailed"
	RollbackSucceededReason  string = "RollbackSucceeded"
	RollbackFailedReason     string = "RollbackFailed"
	UninstallSucceededReason string = "UninstallSucceeded"
	UninstallFailedReason    string = "UninstallFailed"

	// ArtifactFailedReason: the chart artifact could not be fetched or
	// loaded.
	ArtifactFailedReason string = "ArtifactFailed"

	// DependencyNotReadyReason: a HelmRelease named in dependsOn is not
	// ready yet.
	DependencyNotReadyReason string = "DependencyNotReady"

	DriftDetectedReason   string = "DriftDetected"
	NoDriftDetectedReason string = "NoDriftDetected"

	// InventoryBuildFailedReason: the objects of the release could not be
	// listed from its manifest.
	InventoryBuildFailedReason string = "InventoryBuildFailed"

	// NamespaceCheckSkippedReason: whether a kind is namespaced could not be
	// told (the REST mapping failed), so its namespace was not checked.
	NamespaceCheckSkippedReason string = "NamespaceCheckSkipped"
)
