package v1

import "fmt"

// CrossNamespaceSourceReference points at the source whose artifact is built.
type CrossNamespaceSourceReference struct {
	// APIVersion of the source.
	// +optional
	APIVersion string `json:"apiVersion,omitempty"`

	// Kind of the source.
	// +kubebuilder:validation:Enum=OCIRepository;GitRepository;Bucket;ExternalArtifact
	// +required
	Kind string `json:"kind"`

	// Name of the source.
	// +required
	Name string `json:"name"`

	// Namespace of the source; the Kustomization's own when unset.
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// String renders the reference as Kind/name or Kind/namespace/name.
func (s *CrossNamespaceSourceReference) String() string {
	if s.Namespace != "" {
		return fmt.Sprintf("%s/%s/%s", s.Kind, s.Namespace, s.Name)
	}
	return fmt.Sprintf("%s/%s", s.Kind, s.Name)
}

// DependencyReference names a Kustomization that must be ready first.
type DependencyReference struct {
	// Name of the Kustomization.
	// +required
	Name string `json:"name"`

	// Namespace of the Kustomization; the dependent's own when unset.
	// +optional
	Namespace string `json:"namespace,omitempty"`

	// ReadyExpr is a CEL expression that decides readiness instead of the
	// built-in check.
	// +optional
	ReadyExpr string `json:"readyExpr,omitempty"`
}

// SubstituteReference names a ConfigMap or Secret whose data are variables
// for post-build substitution.
type SubstituteReference struct {
	// Kind of the object: Secret or ConfigMap.
	// +kubebuilder:validation:Enum=Secret;ConfigMap
	// +required
	Kind string `json:"kind"`

	// Name of the object, in the Kustomization's namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`

	// Optional lets the build go on as if the object were empty when it is
	// missing.
	// +kubebuilder:default:=false
	// +optional
	Optional bool `json:"optional,omitempty"`
}
