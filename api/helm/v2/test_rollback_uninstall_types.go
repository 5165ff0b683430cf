package v2

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Test configures the Helm test action, run after an install or upgrade.
type Test struct {
	// Enable runs the chart's tests after each install and upgrade.
	// +optional
	Enable bool `json:"enable,omitempty"`

	// Timeout of each Kubernetes operation of the tests; spec.timeout when
	// unset.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// IgnoreFailures keeps a release whose tests fail instead of
	// remediating it; install and upgrade remediation may say otherwise.
	// +optional
	IgnoreFailures bool `json:"ignoreFailures,omitempty"`

	// Filters select tests by name: listed ones run, or with exclude, are
	// skipped.
	Filters *[]Filter `json:"filters,omitempty"`
}

// GetTimeout returns test.timeout, else def.
func (in Test) GetTimeout(def metav1.Duration) metav1.Duration {
	if in.Timeout == nil {
		return def
	}
	return *in.Timeout
}

// GetFilters returns the filters, nil when unset.
func (in Test) GetFilters() []Filter {
	if in.Filters == nil {
		return nil
	}
	return *in.Filters
}

// Filter selects one test by name.
type Filter struct {
	// Name of the test.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`

	// Exclude skips the test instead of selecting it.
	// +optional
	Exclude bool `json:"exclude,omitempty"`
}

// Rollback configures the Helm rollback action used as upgrade remediation.
type Rollback struct {
	// Timeout of each Kubernetes operation of the rollback; spec.timeout
	// when unset.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// DisableWait does not wait for the objects to be ready.
	// +optional
	DisableWait bool `json:"disableWait,omitempty"`

	// DisableWaitForJobs does not wait for Jobs to complete.
	// +optional
	DisableWaitForJobs bool `json:"disableWaitForJobs,omitempty"`

	// DisableHooks skips the chart's hooks.
	// +optional
	DisableHooks bool `json:"disableHooks,omitempty"`

	// Recreate restarted workloads' pods in Helm 3; the Helm 4 SDK has no
	// such option, so it has no effect (Flux only warns about it too).
	//
	// Deprecated: has no effect.
	// +optional
	Recreate bool `json:"recreate,omitempty"`

	// Force replaces objects whose client-side update conflicts; server-side
	// apply always forces and ignores it.
	// +optional
	Force bool `json:"force,omitempty"`

	// CleanupOnFail deletes objects the failed rollback created.
	// +optional
	CleanupOnFail bool `json:"cleanupOnFail,omitempty"`

	// ServerSideApply is 'enabled', 'disabled' or 'auto' (the default: as
	// the release was last applied).
	// +kubebuilder:validation:Enum=enabled;disabled;auto
	// +optional
	ServerSideApply ServerSideApplyMode `json:"serverSideApply,omitempty"`
}

// GetTimeout returns rollback.timeout, else def.
func (in Rollback) GetTimeout(def metav1.Duration) metav1.Duration {
	if in.Timeout == nil {
		return def
	}
	return *in.Timeout
}

// GetDisableWait returns rollback.disableWait.
func (in Rollback) GetDisableWait() bool {
	return in.DisableWait
}

// Uninstall configures the Helm uninstall action, used on deletion and as
// remediation.
type Uninstall struct {
	// Timeout of each Kubernetes operation of the uninstall; spec.timeout
	// when unset.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// DisableHooks skips the chart's hooks.
	// +optional
	DisableHooks bool `json:"disableHooks,omitempty"`

	// KeepHistory deletes the objects but keeps the release's history,
	// marked uninstalled.
	// +optional
	KeepHistory bool `json:"keepHistory,omitempty"`

	// DisableWait does not wait for the objects to be gone.
	// +optional
	DisableWait bool `json:"disableWait,omitempty"`

	// DeletionPropagation of the deletes: 'background' (the default),
	// 'foreground' or 'orphan'.
	// +kubebuilder:default=background
	// +kubebuilder:validation:Enum=background;foreground;orphan
	// +optional
	DeletionPropagation *string `json:"deletionPropagation,omitempty"`
}

// GetTimeout returns uninstall.timeout, else def.
func (in Uninstall) GetTimeout(def metav1.Duration) metav1.Duration {
	if in.Timeout == nil {
		return def
	}
	return *in.Timeout
}

// GetDeletionPropagation returns deletionPropagation, background when unset.
func (in Uninstall) GetDeletionPropagation() string {
	if in.DeletionPropagation == nil {
		return "background"
	}
	return *in.DeletionPropagation
}

// GetDisableWait returns uninstall.disableWait.
func (in Uninstall) GetDisableWait() bool {
	return in.DisableWait
}
