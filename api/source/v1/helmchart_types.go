package v1

import (
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// HelmChartKind is the kind name of a HelmChart.
const HelmChartKind = "HelmChart"

// What makes a HelmChart build a new artifact (spec.reconcileStrategy).
const (
	// ReconcileStrategyChartVersion builds a new artifact only when the
	// chart's version changes.
	ReconcileStrategyChartVersion string = "ChartVersion"
	// ReconcileStrategyRevision also builds one when the source's revision
	// changes with the chart version unchanged (the version then carries a
	// build-metadata suffix naming the revision).
	ReconcileStrategyRevision string = "Revision"
)

// Reasons a HelmChart writes on its conditions besides the shared ones in
// condition_types.go.
const (
	// ChartPullSucceededReason: a chart was downloaded from a repository.
	ChartPullSucceededReason string = "ChartPullSucceeded"
	// ChartPackageSucceededReason: a chart was packaged from a source
	// artifact (GitRepository or Bucket).
	ChartPackageSucceededReason string = "ChartPackageSucceeded"
	// SourceUnavailableReason: the object spec.sourceRef names could not
	// be read (FetchFailed).
	SourceUnavailableReason string = "SourceUnavailable"
	// UnsupportedSourceKindReason: spec.sourceRef.kind is not a kind
	// charts can come from (Stalled).
	UnsupportedSourceKindReason string = "UnsupportedSourceKind"
	// NewChartReason: a chart name or version other than the artifact's
	// was resolved (ArtifactOutdated).
	NewChartReason string = "NewChart"
	// ResolvedDependenciesReason: the event naming how many dependencies a
	// chart build resolved.
	ResolvedDependenciesReason string = "ResolvedDependencies"
)

// Reasons of a failed chart build, as Flux's source-controller writes them
// on BuildFailed (and Ready) of a HelmChart.
const (
	// InvalidChartReferenceReason: spec.chart, spec.version or the source
	// reference cannot resolve to a chart (e.g. no version matches).
	InvalidChartReferenceReason string = "InvalidChartReference"
	// ChartPullErrorReason: downloading the chart failed.
	ChartPullErrorReason string = "ChartPullError"
	// MetadataPatchErrorReason: the chart metadata (version) could not be
	// rewritten.
	MetadataPatchErrorReason string = "MetadataPatchError"
	// ValuesFilesErrorReason: spec.valuesFiles could not be read or merged.
	ValuesFilesErrorReason string = "ValuesFilesError"
	// DependencyBuildErrorReason: the chart's dependencies could not be
	// resolved or fetched.
	DependencyBuildErrorReason string = "DependencyBuildError"
	// ChartPackageErrorReason: packaging the chart failed.
	ChartPackageErrorReason string = "ChartPackageError"
	// ChartVerificationErrorReason: the chart signature check failed.
	ChartVerificationErrorReason string = "ChartVerificationError"
	// UnknownBuildErrorReason: a build failure of no known category.
	UnknownBuildErrorReason string = "Unknown"
)

// HelmChartSpec is what the user asks for: which chart, from which source,
// at which version, with which values files.
// +kubebuilder:validation:XValidation:rule="!has(self.verify) || self.sourceRef.kind == 'HelmRepository'",message="spec.verify is only supported when spec.sourceRef.kind is 'HelmRepository'"
type HelmChartSpec struct {
	// Chart is the chart's name in a HelmRepository, or its directory (or
	// packaged file) in a GitRepository or Bucket artifact.
	// +required
	Chart string `json:"chart"`

	// Version is a semver range; the newest matching chart version is
	// used. Ignored for charts from GitRepository and Bucket sources.
	// +kubebuilder:default:=*
	// +optional
	Version string `json:"version,omitempty"`

	// SourceRef names the source the chart comes from, in the same
	// namespace.
	// +required
	SourceRef LocalHelmChartSourceReference `json:"sourceRef"`

	// Interval between checks of the source for a new chart.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +required
	Interval metav1.Duration `json:"interval"`

	// ReconcileStrategy is 'ChartVersion' (a new artifact per chart
	// version, the default) or 'Revision' (also per source revision).
	// +kubebuilder:validation:Enum=ChartVersion;Revision
	// +kubebuilder:default:=ChartVersion
	// +optional
	ReconcileStrategy string `json:"reconcileStrategy,omitempty"`

	// ValuesFiles are paths in the source whose contents are merged, later
	// over earlier, into the packaged chart's values.yaml. The chart's own
	// values.yaml is only part of the merge when listed.
	// +optional
	ValuesFiles []string `json:"valuesFiles,omitempty"`

	// IgnoreMissingValuesFiles skips listed values files that do not exist
	// instead of failing.
	// +optional
	IgnoreMissingValuesFiles bool `json:"ignoreMissingValuesFiles,omitempty"`

	// Suspend stops reconciliation until it is set back to false.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// Verify asks for the chart's signature to be checked; only for charts
	// from a HelmRepository of type 'oci'. Dependencies not bundled in the
	// chart are not verified.
	// +optional
	Verify *HelmChartVerification `json:"verify,omitempty"`
}

// LocalHelmChartSourceReference names a source object in the HelmChart's
// namespace.
type LocalHelmChartSourceReference struct {
	// APIVersion of the source.
	// +optional
	APIVersion string `json:"apiVersion,omitempty"`

	// Kind of the source: 'HelmRepository', 'GitRepository' or 'Bucket'.
	// +kubebuilder:validation:Enum=HelmRepository;GitRepository;Bucket
	// +required
	Kind string `json:"kind"`

	// Name of the source.
	// +required
	Name string `json:"name"`
}

// HelmChartStatus is what the controller observed and produced.
type HelmChartStatus struct {
	// ObservedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// ObservedSourceArtifactRevision is the source's artifact revision the
	// last build used.
	// +optional
	ObservedSourceArtifactRevision string `json:"observedSourceArtifactRevision,omitempty"`

	// ObservedChartName is the chart name the last resolved reference
	// named.
	// +optional
	ObservedChartName string `json:"observedChartName,omitempty"`

	// ObservedValuesFiles are the values files merged into the chart of
	// the current artifact (missing ones skipped).
	// +optional
	ObservedValuesFiles []string `json:"observedValuesFiles,omitempty"`

	// Conditions of the object (Ready, Reconciling, Stalled, ...).
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// URL is a stable link to the latest chart artifact; status.artifact
	// is the precise reference.
	// +optional
	URL string `json:"url,omitempty"`

	// Artifact is the last packaged chart stored and served.
	// +optional
	Artifact *meta.Artifact `json:"artifact,omitempty"`

	meta.ReconcileRequestStatus `json:",inline"`
}

// +genclient
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:resource:shortName=hc,categories=all;fluxcd;fluxcd-sources
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Chart",type=string,JSONPath=`.spec.chart`
// +kubebuilder:printcolumn:name="Version",type=string,JSONPath=`.spec.version`
// +kubebuilder:printcolumn:name="Source Kind",type=string,JSONPath=`.spec.sourceRef.kind`
// +kubebuilder:printcolumn:name="Source Name",type=string,JSONPath=`.spec.sourceRef.name`
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp",description=""
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].status",description=""
// +kubebuilder:printcolumn:name="Status",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].message",description=""
// +kubebuilder:metadata:annotations="kustomize.toolkit.fluxcd.io/substitute=disabled"

// HelmChart resolves a chart from a source and serves it, packaged, as a
// .tgz artifact for a HelmRelease to install.
type HelmChart struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec HelmChartSpec `json:"spec,omitempty"`
	// +kubebuilder:default={"observedGeneration":-1}
	Status HelmChartStatus `json:"status,omitempty"`
}

// HelmChartList is a list of HelmCharts.
// +kubebuilder:object:root=true
type HelmChartList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []HelmChart `json:"items"`
}

// GetConditions returns the status conditions.
func (in *HelmChart) GetConditions() []metav1.Condition {
	return in.Status.Conditions
}

// SetConditions replaces the status conditions.
func (in *HelmChart) SetConditions(conditions []metav1.Condition) {
	in.Status.Conditions = conditions
}

// GetRequeueAfter returns how long to wait before the next check.
func (in *HelmChart) GetRequeueAfter() time.Duration {
	return in.Spec.Interval.Duration
}

// GetArtifact returns the stored chart artifact, or nil.
func (in *HelmChart) GetArtifact() *meta.Artifact {
	return in.Status.Artifact
}

// GetValuesFiles returns spec.valuesFiles.
func (in *HelmChart) GetValuesFiles() []string {
	return in.Spec.ValuesFiles
}

// GetReconcileStrategy returns spec.reconcileStrategy, 'ChartVersion' when
// unset (objects created before the default existed, or in unit tests).
func (in *HelmChart) GetReconcileStrategy() string {
	if in.Spec.ReconcileStrategy == "" {
		return ReconcileStrategyChartVersion
	}
	return in.Spec.ReconcileStrategy
}

// GetVersion returns spec.version, '*' (any version) when unset.
func (in *HelmChart) GetVersion() string {
	if in.Spec.Version == "" {
		return "*"
	}
	return in.Spec.Version
}
