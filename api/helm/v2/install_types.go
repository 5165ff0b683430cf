package v2

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// defaultRetryInterval is the wait before retrying a failed install or
// upgrade under the RetryOnFailure strategy when no retryInterval is set.
const defaultRetryInterval = 5 * time.Minute

// Install configures the Helm install action.
type Install struct {
	// Timeout of each Kubernetes operation (hook Jobs, waits) of the
	// install; spec.timeout when unset.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// Strategy on a failed install: 'RemediateOnFailure' (the default) or
	// 'RetryOnFailure'.
	// +optional
	Strategy *InstallStrategy `json:"strategy,omitempty"`

	// Remediation on a failed install; none when unset.
	// +optional
	Remediation *InstallRemediation `json:"remediation,omitempty"`

	// DisableTakeOwnership refuses to adopt objects that exist already
	// instead of taking them over.
	// +optional
	DisableTakeOwnership bool `json:"disableTakeOwnership,omitempty"`

	// DisableWait does not wait for the installed objects to be ready.
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

	// Replace reuses the release name when it belongs to a deleted release
	// kept in the history.
	// +optional
	Replace bool `json:"replace,omitempty"`

	// SkipCRDs does not install the chart's CRDs.
	//
	// Deprecated: use crds: Skip.
	//
	// +deprecated
	// +optional
	SkipCRDs bool `json:"skipCRDs,omitempty"`

	// CRDs is the policy for the chart's crds folder on install: 'Create'
	// (the default: create missing CRDs, leave existing ones), 'Skip' or
	// 'CreateReplace' (also replace existing ones). CRDs are never deleted.
	// +kubebuilder:validation:Enum=Skip;Create;CreateReplace
	// +optional
	CRDs CRDsPolicy `json:"crds,omitempty"`

	// CreateNamespace creates the target namespace when it does not exist;
	// it is left in place on uninstall.
	// +optional
	CreateNamespace bool `json:"createNamespace,omitempty"`

	// ServerSideApply applies the objects server-side; true when unset.
	// +optional
	ServerSideApply *bool `json:"serverSideApply,omitempty"`
}

// GetTimeout returns install.timeout, else def.
func (in Install) GetTimeout(def metav1.Duration) metav1.Duration {
	if in.Timeout == nil {
		return def
	}
	return *in.Timeout
}

// GetRemediation returns the install remediation, empty when unset.
func (in Install) GetRemediation() Remediation {
	if in.Remediation == nil {
		return InstallRemediation{}
	}
	return *in.Remediation
}

// GetRetry returns the retry settings when the strategy is RetryOnFailure
// (or when it is unset and retryByDefault is true), else nil.
func (in Install) GetRetry(retryByDefault bool) Retry {
	if in.Strategy == nil {
		if retryByDefault {
			return &InstallStrategy{Name: string(ActionStrategyRetryOnFailure)}
		}
		return nil
	}
	if in.Strategy.Name != string(ActionStrategyRetryOnFailure) {
		return nil
	}
	return in.Strategy
}

// GetDisableWait returns install.disableWait.
func (in Install) GetDisableWait() bool {
	return in.DisableWait
}

// InstallStrategy chooses what follows a failed install.
// +kubebuilder:validation:XValidation:rule="!has(self.retryInterval) || self.name != 'RemediateOnFailure'", message=".retryInterval cannot be set when .name is 'RemediateOnFailure'"
type InstallStrategy struct {
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
func (in InstallStrategy) GetRetryInterval() time.Duration {
	if in.RetryInterval == nil {
		return defaultRetryInterval
	}
	return in.RetryInterval.Duration
}

// InstallRemediation configures what follows a failed install under the
// RemediateOnFailure strategy: an uninstall, then another attempt while
// retries remain.
type InstallRemediation struct {
	// Retries after a failed install, each preceded by an uninstall; 0 when
	// unset, unlimited when negative.
	// +optional
	Retries int `json:"retries,omitempty"`

	// IgnoreTestFailures keeps a release whose tests fail after install;
	// test.ignoreFailures when unset.
	// +optional
	IgnoreTestFailures *bool `json:"ignoreTestFailures,omitempty"`

	// RemediateLastFailure uninstalls after the last failed attempt too;
	// false when unset.
	// +optional
	RemediateLastFailure *bool `json:"remediateLastFailure,omitempty"`
}

// CRDsPolicy is what an install or upgrade does with the chart's CRDs.
type CRDsPolicy string

const (
	// Skip neither creates nor replaces CRDs.
	Skip CRDsPolicy = "Skip"
	// Create creates missing CRDs and leaves existing ones alone.
	Create CRDsPolicy = "Create"
	// CreateReplace creates missing CRDs and replaces existing ones.
	CreateReplace CRDsPolicy = "CreateReplace"
)
