package v1

import "fmt"

// CrossNamespaceSourceReference names the source an automation updates,
// possibly in another namespace.
type CrossNamespaceSourceReference struct {
	// APIVersion of the source.
	// +optional
	APIVersion string `json:"apiVersion,omitempty"`

	// Kind of the source; only GitRepository.
	// +kubebuilder:validation:Enum=GitRepository
	// +kubebuilder:default=GitRepository
	// +required
	Kind string `json:"kind"`

	// Name of the source.
	// +required
	Name string `json:"name"`

	// Namespace of the source; the automation's own when unset.
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// String writes the reference as Kind/namespace/name, or Kind/name when the
// namespace is unset.
func (in *CrossNamespaceSourceReference) String() string {
	if in.Namespace != "" {
		return fmt.Sprintf("%s/%s/%s", in.Kind, in.Namespace, in.Name)
	}
	return fmt.Sprintf("%s/%s", in.Kind, in.Name)
}
