package v2

// Action names a stage of a HelmRelease's reconciliation; Flux puts it in
// the metadata of the events it emits, and so does Tide.
type Action string

// String returns the action's name.
func (a Action) String() string {
	return string(a)
}

const (
	// ActionReconcile is the run as a whole: its outcome, once per run.
	ActionReconcile Action = "Reconcile"
	// ActionCheckDependencies waits for the HelmReleases of dependsOn.
	ActionCheckDependencies Action = "CheckDependencies"
	// ActionResolveSource finds and loads the chart artifact.
	ActionResolveSource Action = "ResolveSource"
	// ActionResolveValues merges valuesFrom and values.
	ActionResolveValues Action = "ResolveValues"
	// ActionHealthCheck waits for the release's objects to be healthy.
	ActionHealthCheck Action = "HealthCheck"
	// ActionDriftDetection compares the cluster with the release's manifest
	// and corrects or reports the difference.
	ActionDriftDetection Action = "DriftDetection"
	// ActionHelmInstall, ActionHelmUpgrade, ActionHelmRollback,
	// ActionHelmTest and ActionHelmUninstall are the Helm actions.
	ActionHelmInstall   Action = "HelmInstall"
	ActionHelmUpgrade   Action = "HelmUpgrade"
	ActionHelmRollback  Action = "HelmRollback"
	ActionHelmTest      Action = "HelmTest"
	ActionHelmUninstall Action = "HelmUninstall"
	// ActionUnlock frees a release left pending by an interrupted action.
	ActionUnlock Action = "Unlock"
)
