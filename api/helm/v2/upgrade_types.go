package v2

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Upgrade configures the Helm upgrade action.
type Upgrade struct {
	// Timeout of each Kubernetes operation of the upgrade; spec.timeout when
	// unset.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// Strategy on a failed upgrade: 'RemediateOnFailure' (the default) or
	// 'RetryOnFailure'.
	// +optional
	Strategy *UpgradeStrategy `json:"strategy,omitempty"`

	// Remediation on a failed upgrade; none when unset.
	// +optional
	Remediation *UpgradeRemediation `json:"remediation,omitempty"`

	// DisableTakeOwnership refuses to adopt objects that exist already.
	// +optional
	DisableTakeOwnership bool `json:"disableTakeOwnership,omitempty"`

	// DisableWait does not wait for the upgraded objects to be ready.
	// +optional
	DisableWait bool `json:"disableWait,omitempty"`

	// DisableWaitForJobs does not wait for Jobs to complete.
	// +optional
	DisableWaitForJobs bool `json:"disableWaitForJobs,omitempty"`

	// DisableHooks skips the chart's hooks.
	// +optional
	DisableHooks bool `json:"disableHooks,omitempty"`

	// DisableOpenAPIValidation skips validating the rendered objects against
	// the cluster's OpenAPI schema.
	// +optional
	DisableOpenAPIValidation bool `json:"disableOpenAPIValidation,omitempty"`

	// DisableSchemaValidation skips validating the values against the
	// chart's JSON schema.
	// +optional
	DisableSchemaValidation bool `json:"disableSchemaValidation,omitempty"`

	// Force replaces objects whose client-side update conflicts; server-side
	// apply always forces and ignores it.
	// +optional
	Force bool `json:"force,omitempty"`

	// PreserveValues merges the values over those of the last release
	// instead of replacing them (which makes the release depend on its
	// history).
	// +optional
	PreserveValues bool `json:"preserveValues,omitempty"`

	// CleanupOnFail deletes objects the failed upgrade created.
	// +optional
	CleanupOnFail bool `json:"cleanupOnFail,omitempty"`

	// CRDs is the policy for the chart's crds folder on upgrade: 'Skip' (the
	// default), 'Create' or 'CreateReplace'. CRDs are never deleted.
	// +kubebuilder:validation:Enum=Skip;Create;CreateReplace
	// +optional
	CRDs CRDsPolicy `json:"crds,omitempty"`

	// ServerSideApply is 'enabled', 'disabled' or 'auto' (the default: as
	// the release was last applied).
	// +kubebuilder:validation:Enum=enabled;disabled;auto
	// +optional
	ServerSideApply ServerSideApplyMode `json:"serverSideApply,omitempty"`

	// ChartNameChangeStrategy is what a new chart name does to the release:
	// 'Reinstall' (the default: uninstall, then install) or 'InPlaceUpdate'
	// (upgrade).
	// +kubebuilder:validation:Enum=InPlaceUpdate;Reinstall
	// +optional
	ChartNameChangeStrategy ChartNameChangeStrategy `json:"chartNameChangeStrategy,omitempty"`
}

// GetTimeout returns upgrade.timeout, else def.
func (in Upgrade) GetTimeout(def metav1.Duration) metav1.Duration {
	if in.Timeout == nil {
		return def
	}
	return *in.Timeout
}

// GetChartNameChangeStrategy returns chartNameChangeStrategy, Reinstall when
// unset.
func (in Upgrade) GetChartNameChangeStrategy() ChartNameChangeStrategy {
	if in.ChartNameChangeStrategy == "" {
		return ChartNameChangeStrategyReinstall
	}
	return in.ChartNameChangeStrategy
}

// GetRemediation returns the upgrade remediation, empty when unset.
func (in Upgrade) GetRemediation() Remediation {
	if in.Remediation == nil {
		return UpgradeRemediation{}
	}
	return *in.Remediation
}

// GetRetry returns the retry settings when the strategy is RetryOnFailure
// (or when it is unset and retryByDefault is true), else nil.
func (in Upgrade) GetRetry(retryByDefault bool) Retry {
	if in.Strategy == nil {
		if retryByDefault {
			return &UpgradeStrategy{Name: string(ActionStrategyRetryOnFailure)}
		}
		return nil
	}
	if in.Strategy.Name != string(ActionStrategyRetryOnFailure) {
		return nil
	}
	return in.Strategy
}

// GetDisableWait returns upgrade.disableWait.
func (in Upgrade) GetDisableWait() bool {
	return in.DisableWait
}

// UpgradeStrategy chooses what follows a failed upgrade.
// +kubebuilder:validation:XValidation:rule="!has(self.retryInterval) || self.name == 'RetryOnFailure'", message=".retryInterval can only be set when .name is 'RetryOnFailure'"
type UpgradeStrategy struct {
	// Name of the strategy.
	// +kubebuilder:validation:Enum=RemediateOnFailure;RetryOnFailure
	// +required
	Name string `json:"name"`

	// RetryInterval between attempts under RetryOnFailure; 5m when unset.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +optional
	RetryInterval *metav1.Duration `json:"retryInterval,omitempty"`
}

// GetRetryInterval returns retryInterval, 5m when unset.
func (in UpgradeStrategy) GetRetryInterval() time.Duration {
	if in.RetryInterval == nil {
		return defaultRetryInterval
	}
	return in.RetryInterval.Duration
}

// UpgradeRemediation configures what follows a failed upgrade under the
// RemediateOnFailure strategy: a rollback or an uninstall, then another
// attempt while retries remain.
type UpgradeRemediation struct {
	// Retries after a failed upgrade, each preceded by the remediation; 0
	// when unset, unlimited when negative.
	// +optional
	Retries int `json:"retries,omitempty"`

	// IgnoreTestFailures keeps a release whose tests fail after upgrade;
	// test.ignoreFailures when unset.
	// +optional
	IgnoreTestFailures *bool `json:"ignoreTestFailures,omitempty"`

	// RemediateLastFailure remediates after the last failed attempt too;
	// when unset, true if retries is above 0.
	// +optional
	RemediateLastFailure *bool `json:"remediateLastFailure,omitempty"`

	// Strategy of the remediation: 'rollback' (the default) or 'uninstall'.
	// +kubebuilder:validation:Enum=rollback;uninstall
	// +optional
	Strategy *RemediationStrategy `json:"strategy,omitempty"`
}

// ServerSideApplyMode chooses between server-side and client-side apply for
// upgrades and rollbacks.
type ServerSideApplyMode string

const (
	ServerSideApplyEnabled  ServerSideApplyMode = "enabled"
	ServerSideApplyDisabled ServerSideApplyMode = "disabled"
	// ServerSideApplyAuto applies as the release was last applied.
	ServerSideApplyAuto ServerSideApplyMode = "auto"
)

// ChartNameChangeStrategy is what a new chart name does to a release.
type ChartNameChangeStrategy string

const (
	// ChartNameChangeStrategyInPlaceUpdate upgrades the release.
	ChartNameChangeStrategyInPlaceUpdate ChartNameChangeStrategy = "InPlaceUpdate"
	// ChartNameChangeStrategyReinstall uninstalls the release and installs
	// the new chart.
	ChartNameChangeStrategyReinstall ChartNameChangeStrategy = "Reinstall"
)
