package v2

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// HelmChartTemplate describes the source object the controller creates and
// owns for a HelmRelease (spec.chart): a HelmChart, or with kind
// OCIRepository, an OCIRepository. The rules below are Flux's: each kind
// takes only its own fields.
//
// +kubebuilder:validation:XValidation:rule="!has(self.kind) || self.kind != 'OCIRepository' || (has(self.spec.url) && size(self.spec.url) > 0)", message="chart.spec.url must be set when chart.kind is 'OCIRepository'"
// +kubebuilder:validation:XValidation:rule="!has(self.spec.url) || (has(self.kind) && self.kind == 'OCIRepository')",message="chart.spec.url requires chart.kind: 'OCIRepository'; for a HelmChart template set spec.chart and spec.sourceRef instead"
// +kubebuilder:validation:XValidation:rule="(has(self.kind) && self.kind == 'OCIRepository') || (has(self.spec.chart) && has(self.spec.sourceRef))", message="chart.spec.chart and chart.spec.sourceRef must be set when chart.kind is not 'OCIRepository'"
// +kubebuilder:validation:XValidation:rule="!has(self.kind) || self.kind != 'OCIRepository' || !has(self.spec.chart)", message="chart.spec.chart cannot be set when chart.kind is 'OCIRepository'"
// +kubebuilder:validation:XValidation:rule="!has(self.kind) || self.kind != 'OCIRepository' || !has(self.spec.version) || self.spec.version == '*'", message="chart.spec.version cannot be set when chart.kind is 'OCIRepository'"
// +kubebuilder:validation:XValidation:rule="!has(self.kind) || self.kind != 'OCIRepository' || !has(self.spec.sourceRef)", message="chart.spec.sourceRef cannot be set when chart.kind is 'OCIRepository'"
// +kubebuilder:validation:XValidation:rule="!has(self.kind) || self.kind != 'OCIRepository' || !has(self.spec.reconcileStrategy) || self.spec.reconcileStrategy == 'ChartVersion'", message="chart.spec.reconcileStrategy cannot be set when chart.kind is 'OCIRepository'"
// +kubebuilder:validation:XValidation:rule="!has(self.kind) || self.kind != 'OCIRepository' || !has(self.spec.valuesFiles)", message="chart.spec.valuesFiles cannot be set when chart.kind is 'OCIRepository'"
// +kubebuilder:validation:XValidation:rule="!has(self.kind) || self.kind != 'OCIRepository' || !has(self.spec.ignoreMissingValuesFiles)", message="chart.spec.ignoreMissingValuesFiles cannot be set when chart.kind is 'OCIRepository'"
type HelmChartTemplate struct {
	// Kind of the object to create: 'HelmChart' (the default; the chart is
	// read from spec.sourceRef) or 'OCIRepository' (the chart is the OCI
	// artifact at spec.url).
	// +kubebuilder:validation:Enum=HelmChart;OCIRepository
	// +optional
	Kind string `json:"kind,omitempty"`

	// ObjectMeta holds labels and annotations for the created object.
	// +optional
	ObjectMeta *HelmChartTemplateObjectMeta `json:"metadata,omitempty"`

	// Spec of the created object.
	// +required
	Spec HelmChartTemplateSpec `json:"spec"`
}

// HelmChartTemplateObjectMeta holds the labels and annotations put on the
// created object.
type HelmChartTemplateObjectMeta struct {
	// Labels to put on the object.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`

	// Annotations to put on the object.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
}

// HelmChartTemplateSpec holds the fields of either kind of created object:
// an OCIRepository's (inline) and a HelmChart's.
type HelmChartTemplateSpec struct {
	sourcev1.OCIRepositorySpec `json:",inline"`

	// Chart is the chart's name in a HelmRepository, or its path in a
	// GitRepository or Bucket.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Chart string `json:"chart,omitempty"`

	// Version is a semver range of the chart, '*' (the newest) when unset;
	// charts from GitRepository and Bucket sources ignore it.
	// +optional
	Version string `json:"version,omitempty"`

	// SourceRef names the source the HelmChart reads the chart from.
	// +optional
	SourceRef *CrossNamespaceObjectReference `json:"sourceRef,omitempty"`

	// ReconcileStrategy is 'ChartVersion' (the default: a new artifact per
	// chart version) or 'Revision' (also one per source revision).
	// +kubebuilder:validation:Enum=ChartVersion;Revision
	// +optional
	ReconcileStrategy string `json:"reconcileStrategy,omitempty"`

	// ValuesFiles, relative to the source's root, replace the chart's
	// values.yaml, merged in order (the last wins).
	// +optional
	ValuesFiles []string `json:"valuesFiles,omitempty"`

	// IgnoreMissingValuesFiles skips values files that are absent instead
	// of failing.
	// +optional
	IgnoreMissingValuesFiles bool `json:"ignoreMissingValuesFiles,omitempty"`
}

// GetVersion returns the version range, '*' when unset.
func (in HelmChartTemplateSpec) GetVersion() string {
	if in.Version == "" {
		return "*"
	}
	return in.Version
}

// GetReconcileStrategy returns the reconcile strategy, 'ChartVersion' when
// unset.
func (in HelmChartTemplateSpec) GetReconcileStrategy() string {
	if in.ReconcileStrategy == "" {
		return sourcev1.ReconcileStrategyChartVersion
	}
	return in.ReconcileStrategy
}

// GetTemplateInterval returns the interval of the created object: the
// template's, else the HelmRelease's.
func (in *HelmRelease) GetTemplateInterval() metav1.Duration {
	if in.Spec.Chart == nil || in.Spec.Chart.Spec.Interval == nil {
		return in.Spec.Interval
	}
	return *in.Spec.Chart.Spec.Interval
}

// HasChartTemplate reports whether spec.chart is set.
func (in *HelmRelease) HasChartTemplate() bool {
	return in.Spec.Chart != nil
}

// HasChartRef reports whether spec.chartRef is set.
func (in *HelmRelease) HasChartRef() bool {
	return in.Spec.ChartRef != nil
}

// GetHelmChartTemplateReference returns the object spec.chart creates:
// '<namespace>-<name>' of the HelmRelease, in the source's namespace for a
// HelmChart and in the HelmRelease's for an OCIRepository. Nil without
// spec.chart.
func (in *HelmRelease) GetHelmChartTemplateReference() *HelmChartReference {
	if in == nil || in.Spec.Chart == nil {
		return nil
	}
	ref := &HelmChartReference{
		Kind:      in.Spec.Chart.Kind,
		Name:      in.fullName(),
		Namespace: in.Namespace,
	}
	if ref.Kind == "" {
		ref.Kind = sourcev1.HelmChartKind
	}
	if src := in.Spec.Chart.Spec.SourceRef; ref.Kind == sourcev1.HelmChartKind && src != nil && src.Namespace != "" {
		ref.Namespace = src.Namespace
	}
	return ref
}

// GetHelmChartReference returns the object spec.chartRef names, with the
// kind defaulting to HelmChart and the namespace to the HelmRelease's. Nil
// without spec.chartRef.
func (in *HelmRelease) GetHelmChartReference() *HelmChartReference {
	if in == nil || in.Spec.ChartRef == nil {
		return nil
	}
	ref := &HelmChartReference{
		Kind:      in.Spec.ChartRef.Kind,
		Name:      in.Spec.ChartRef.Name,
		Namespace: in.Spec.ChartRef.Namespace,
	}
	if ref.Kind == "" {
		ref.Kind = sourcev1.HelmChartKind
	}
	if ref.Namespace == "" {
		ref.Namespace = in.Namespace
	}
	return ref
}
