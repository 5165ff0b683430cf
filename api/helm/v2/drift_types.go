package v2

import kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"

// DriftDetectionMode is what the controller does when the cluster no longer
// matches the release's manifest.
type DriftDetectionMode string

const (
	// DriftDetectionEnabled corrects drift with an upgrade.
	DriftDetectionEnabled DriftDetectionMode = "enabled"
	// DriftDetectionWarn reports drift in an event without correcting it.
	DriftDetectionWarn DriftDetectionMode = "warn"
	// DriftDetectionDisabled does not look for drift; the default.
	DriftDetectionDisabled DriftDetectionMode = "disabled"
)

const (
	// DriftDetectionMetadataKey, as a label or annotation with the value
	// DriftDetectionDisabledValue, excludes an object from drift detection.
	DriftDetectionMetadataKey = "helm.toolkit.fluxcd.io/driftDetection"
	// DriftDetectionDisabledValue is the value that opts an object out.
	DriftDetectionDisabledValue = "disabled"
)

// DriftDetection configures the comparison of the cluster with the
// release's manifest.
type DriftDetection struct {
	// Mode is 'enabled', 'warn' or 'disabled' (the default).
	// +kubebuilder:validation:Enum=enabled;warn;disabled
	// +optional
	Mode DriftDetectionMode `json:"mode,omitempty"`

	// Ignore lists fields that may differ without counting as drift.
	// +optional
	Ignore []IgnoreRule `json:"ignore,omitempty"`
}

// GetMode returns the mode, disabled when unset.
func (d DriftDetection) GetMode() DriftDetectionMode {
	if d.Mode == "" {
		return DriftDetectionDisabled
	}
	return d.Mode
}

// MustDetectChanges reports whether the mode is enabled or warn.
func (d DriftDetection) MustDetectChanges() bool {
	mode := d.GetMode()
	return mode == DriftDetectionEnabled || mode == DriftDetectionWarn
}

// IgnoreRule names fields, as JSON pointers, that drift detection leaves
// out on the selected objects.
type IgnoreRule struct {
	// Paths are JSON pointers (RFC 6901) to the fields.
	// +required
	Paths []string `json:"paths"`

	// Target selects the objects; every object of the release when unset.
	// +optional
	Target *kustomizev1.Selector `json:"target,omitempty"`
}
