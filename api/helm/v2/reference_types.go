package v2

import (
	"fmt"

	"github.com/fluxcd/pkg/apis/meta"
	"k8s.io/apimachinery/pkg/types"
)

// CrossNamespaceObjectReference names the source a chart template's
// HelmChart reads the chart from.
type CrossNamespaceObjectReference struct {
	// APIVersion of the source.
	// +optional
	APIVersion string `json:"apiVersion,omitempty"`

	// Kind of the source.
	// +kubebuilder:validation:Enum=HelmRepository;GitRepository;Bucket
	// +required
	Kind string `json:"kind,omitempty"`

	// Name of the source.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`

	// Namespace of the source; the HelmRelease's own when unset.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Optional
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// CrossNamespaceSourceReference names the object whose artifact is the chart
// (spec.chartRef).
type CrossNamespaceSourceReference struct {
	// APIVersion of the object.
	// +optional
	APIVersion string `json:"apiVersion,omitempty"`

	// Kind of the object.
	// +kubebuilder:validation:Enum=OCIRepository;HelmChart;ExternalArtifact
	// +required
	Kind string `json:"kind"`

	// Name of the object.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`

	// Namespace of the object; the HelmRelease's own when unset.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Optional
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// HelmChartReference is the kind, namespace and name of the object a
// release's chart comes from, with every part filled in.
type HelmChartReference struct {
	// Kind of the object.
	// +kubebuilder:validation:Enum=HelmChart;OCIRepository;ExternalArtifact
	// +required
	Kind string `json:"kind"`

	// Name of the object.
	// +required
	Name string `json:"name"`

	// Namespace of the object.
	// +required
	Namespace string `json:"namespace"`
}

// String renders the reference as 'Kind/namespace/name'.
func (in *HelmChartReference) String() string {
	if in == nil {
		return ""
	}
	return fmt.Sprintf("%s/%s/%s", in.Kind, in.Namespace, in.Name)
}

// GetObjectKey returns the namespace and name to get the object with.
func (in *HelmChartReference) GetObjectKey() types.NamespacedName {
	return types.NamespacedName{Namespace: in.Namespace, Name: in.Name}
}

// Matches reports whether both references are set and name the same object.
func (in *HelmChartReference) Matches(other *HelmChartReference) bool {
	return in != nil && other != nil && *in == *other
}

// DependencyReference names a HelmRelease that must be ready first, and may
// decide readiness with a CEL expression (readyExpr).
type DependencyReference = meta.DependencyReference

// ValuesReference names a ConfigMap or Secret holding values, the key to
// read, and where in the values tree to put them.
//
// +kubebuilder:object:generate=false
type ValuesReference = meta.ValuesReference
