package v2

import (
	"strings"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// ReleaseAction is a Helm action the controller performed.
type ReleaseAction string

const (
	ReleaseActionInstall   ReleaseAction = "install"
	ReleaseActionUpgrade   ReleaseAction = "upgrade"
	ReleaseActionRollback  ReleaseAction = "rollback"
	ReleaseActionUninstall ReleaseAction = "uninstall"
	// ReleaseActionUninstallRemediation is an uninstall done to remediate
	// a failed release.
	ReleaseActionUninstallRemediation ReleaseAction = "uninstall-remediation"
)

// HelmReleaseStatus is what the controller observed and did.
type HelmReleaseStatus struct {
	// ObservedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// ObservedPostRenderersDigest is the digest of spec.postRenderers at the
	// last successful reconciliation.
	// +optional
	ObservedPostRenderersDigest string `json:"observedPostRenderersDigest,omitempty"`

	// ObservedCommonMetadataDigest is the digest of spec.commonMetadata at
	// the last successful reconciliation.
	// +optional
	ObservedCommonMetadataDigest string `json:"observedCommonMetadataDigest,omitempty"`

	// LastAttemptedGeneration is the generation last tried.
	// +optional
	LastAttemptedGeneration int64 `json:"lastAttemptedGeneration,omitempty"`

	// Conditions of the object (Ready, Reconciling, Stalled, Released,
	// TestSuccess, Remediated, Drifted).
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// HelmChart is the chart object made from spec.chart: '<namespace>/<name>'
	// for a HelmChart, '<kind>/<namespace>/<name>' for another kind.
	// +optional
	HelmChart string `json:"helmChart,omitempty"`

	// StorageNamespace holds Helm's storage of the current release.
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:Optional
	// +optional
	StorageNamespace string `json:"storageNamespace,omitempty"`

	// History of the releases made, down to the last successful one.
	// +optional
	History Snapshots `json:"history,omitempty"`

	// Inventory lists the objects of the current release.
	// +optional
	Inventory *ResourceInventory `json:"inventory,omitempty"`

	// LastAttemptedReleaseAction is the last install or upgrade tried; it
	// decides which strategy and remediation apply.
	// +kubebuilder:validation:Enum=install;upgrade
	// +optional
	LastAttemptedReleaseAction ReleaseAction `json:"lastAttemptedReleaseAction,omitempty"`

	// LastAttemptedReleaseActionDuration is how long that action took.
	// +kubebuilder:validation:Type=string
	// +optional
	LastAttemptedReleaseActionDuration *metav1.Duration `json:"lastAttemptedReleaseActionDuration,omitempty"`

	// Failures counts failed reconciliations of the current desired state;
	// a success zeroes it.
	// +optional
	Failures int64 `json:"failures,omitempty"`

	// InstallFailures counts failed installs of the current desired state.
	// +optional
	InstallFailures int64 `json:"installFailures,omitempty"`

	// UpgradeFailures counts failed upgrades of the current desired state.
	// +optional
	UpgradeFailures int64 `json:"upgradeFailures,omitempty"`

	// LastAttemptedRevision is the chart revision last tried; from an
	// OCIRepository it is the chart version, '+', and the digest's first 12
	// hex digits.
	// +optional
	LastAttemptedRevision string `json:"lastAttemptedRevision,omitempty"`

	// LastAttemptedRevisionDigest is the OCI digest last tried (OCIRepository
	// charts only).
	// +optional
	LastAttemptedRevisionDigest string `json:"lastAttemptedRevisionDigest,omitempty"`

	// LastAttemptedValuesChecksum is the SHA1 of the values last tried.
	//
	// Deprecated: use LastAttemptedConfigDigest.
	// +optional
	LastAttemptedValuesChecksum string `json:"lastAttemptedValuesChecksum,omitempty"`

	// LastReleaseRevision is the version of the last successful release.
	//
	// Deprecated: use History.
	// +optional
	LastReleaseRevision int `json:"lastReleaseRevision,omitempty"`

	// LastAttemptedConfigDigest is the digest of the values last tried.
	// +optional
	LastAttemptedConfigDigest string `json:"lastAttemptedConfigDigest,omitempty"`

	// LastHandledResetAt is the last reconcile.fluxcd.io/resetAt token
	// handled.
	// +optional
	LastHandledResetAt string `json:"lastHandledResetAt,omitempty"`

	meta.ReconcileRequestStatus `json:",inline"`
	meta.ForceRequestStatus     `json:",inline"`
}

// ClearHistory forgets the release history.
func (in *HelmReleaseStatus) ClearHistory() {
	in.History = nil
}

// ClearFailures zeroes the failure counters.
func (in *HelmReleaseStatus) ClearFailures() {
	in.Failures = 0
	in.InstallFailures = 0
	in.UpgradeFailures = 0
}

// HasChart reports whether status.helmChart is set.
func (in *HelmReleaseStatus) HasChart() bool {
	return in.HelmChart != ""
}

// SetChart records the object made from spec.chart: a HelmChart as
// '<namespace>/<name>' (the form Flux has always written), another kind as
// '<kind>/<namespace>/<name>'.
func (in *HelmReleaseStatus) SetChart(ref *HelmChartReference) {
	in.HelmChart = strings.TrimPrefix(ref.String(), sourcev1.HelmChartKind+"/")
}

// GetHelmChartReference parses status.helmChart; nil when unset or
// malformed.
func (in *HelmReleaseStatus) GetHelmChartReference() *HelmChartReference {
	switch parts := strings.Split(in.HelmChart, "/"); len(parts) {
	case 2:
		return &HelmChartReference{Kind: sourcev1.HelmChartKind, Namespace: parts[0], Name: parts[1]}
	case 3:
		return &HelmChartReference{Kind: parts[0], Namespace: parts[1], Name: parts[2]}
	default:
		return nil
	}
}

// GetLastAttemptedRevision returns status.lastAttemptedRevision.
func (in *HelmReleaseStatus) GetLastAttemptedRevision() string {
	return in.LastAttemptedRevision
}
