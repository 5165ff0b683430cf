package v2

import "time"

// ActionStrategyName names what follows a failed install or upgrade.
type ActionStrategyName string

const (
	// ActionStrategyRemediateOnFailure remediates (uninstall or rollback)
	// and tries again while retries remain.
	ActionStrategyRemediateOnFailure ActionStrategyName = "RemediateOnFailure"
	// ActionStrategyRetryOnFailure tries the same action again after the
	// retry interval, without remediation.
	ActionStrategyRetryOnFailure ActionStrategyName = "RetryOnFailure"
)

// RemediationStrategy is how a failed release is undone.
type RemediationStrategy string

const (
	// RollbackRemediationStrategy rolls back to the last good release.
	RollbackRemediationStrategy RemediationStrategy = "rollback"
	// UninstallRemediationStrategy uninstalls the release.
	UninstallRemediationStrategy RemediationStrategy = "uninstall"
)

// Remediation is what InstallRemediation and UpgradeRemediation have in
// common, so the release engine can treat the active one alike.
// +kubebuilder:object:generate=false
type Remediation interface {
	GetRetries() int
	MustIgnoreTestFailures(def bool) bool
	MustRemediateLastFailure() bool
	GetStrategy() RemediationStrategy
	GetFailureCount(hr *HelmRelease) int64
	IncrementFailureCount(hr *HelmRelease)
	RetriesExhausted(hr *HelmRelease) bool
	IsUninstallAfterUpgrade() bool
}

// Retry is the RetryOnFailure strategy of an install or upgrade.
// +kubebuilder:object:generate=false
type Retry interface {
	GetRetryInterval() time.Duration
}

// Strategy is what Install and Upgrade have in common for retries.
// +kubebuilder:object:generate=false
type Strategy interface {
	GetRetry(retryByDefault bool) Retry
}

// GetRetries returns retries.
func (in InstallRemediation) GetRetries() int { return in.Retries }

// MustIgnoreTestFailures returns ignoreTestFailures, else def.
func (in InstallRemediation) MustIgnoreTestFailures(def bool) bool {
	if in.IgnoreTestFailures == nil {
		return def
	}
	return *in.IgnoreTestFailures
}

// MustRemediateLastFailure returns remediateLastFailure, false when unset.
func (in InstallRemediation) MustRemediateLastFailure() bool {
	return in.RemediateLastFailure != nil && *in.RemediateLastFailure
}

// GetStrategy returns uninstall: the only way to undo an install.
func (in InstallRemediation) GetStrategy() RemediationStrategy {
	return UninstallRemediationStrategy
}

// GetFailureCount returns status.installFailures.
func (in InstallRemediation) GetFailureCount(hr *HelmRelease) int64 {
	return hr.Status.InstallFailures
}

// IncrementFailureCount adds one to status.installFailures.
func (in InstallRemediation) IncrementFailureCount(hr *HelmRelease) {
	hr.Status.InstallFailures++
}

// RetriesExhausted reports whether the failures outnumber the retries
// (never with negative retries).
func (in InstallRemediation) RetriesExhausted(hr *HelmRelease) bool {
	return in.Retries >= 0 && in.GetFailureCount(hr) > int64(in.Retries)
}

// IsUninstallAfterUpgrade is false: this remediation follows an install.
func (in InstallRemediation) IsUninstallAfterUpgrade() bool { return false }

// GetRetries returns retries.
func (in UpgradeRemediation) GetRetries() int { return in.Retries }

// MustIgnoreTestFailures returns ignoreTestFailures, else def.
func (in UpgradeRemediation) MustIgnoreTestFailures(def bool) bool {
	if in.IgnoreTestFailures == nil {
		return def
	}
	return *in.IgnoreTestFailures
}

// MustRemediateLastFailure returns remediateLastFailure; when unset, whether
// retries is above 0.
func (in UpgradeRemediation) MustRemediateLastFailure() bool {
	if in.RemediateLastFailure == nil {
		return in.Retries > 0
	}
	return *in.RemediateLastFailure
}

// GetStrategy returns strategy, rollback when unset.
func (in UpgradeRemediation) GetStrategy() RemediationStrategy {
	if in.Strategy == nil {
		return RollbackRemediationStrategy
	}
	return *in.Strategy
}

// GetFailureCount returns status.upgradeFailures.
func (in UpgradeRemediation) GetFailureCount(hr *HelmRelease) int64 {
	return hr.Status.UpgradeFailures
}

// IncrementFailureCount adds one to status.upgradeFailures.
func (in UpgradeRemediation) IncrementFailureCount(hr *HelmRelease) {
	hr.Status.UpgradeFailures++
}

// RetriesExhausted reports whether the failures outnumber the retries
// (never with negative retries).
func (in UpgradeRemediation) RetriesExhausted(hr *HelmRelease) bool {
	return in.Retries >= 0 && in.GetFailureCount(hr) > int64(in.Retries)
}

// IsUninstallAfterUpgrade reports whether the strategy is uninstall.
func (in UpgradeRemediation) IsUninstallAfterUpgrade() bool {
	return in.GetStrategy() == UninstallRemediationStrategy
}
