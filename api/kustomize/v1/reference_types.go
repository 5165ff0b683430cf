package v1

import (
	"fmt"

	"github.com/fluxcd/pkg/apis/meta"
)

// KubeConfigReference points at the kubeconfig of a remote cluster: a Secret
// holding it, or a ConfigMap describing how to reach the cluster with a
// cloud identity. Exactly one must be set. The fields are those of
// fluxcd/pkg/apis/meta's type of the same name; Tide keeps its own copy so
// that the CRD carries the single validation rule Flux's current CRD has.
// +kubebuilder:validation:XValidation:rule="has(self.configMapRef) != has(self.secretRef)", message="exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be specified"
type KubeConfigReference struct {
	// ConfigMapRef names a ConfigMap, in the Kustomization's namespace, with
	// the provider, cluster and address to reach with a cloud identity.
	// +optional
	ConfigMapRef *meta.LocalObjectReference `json:"configMapRef,omitempty"`

	// SecretRef names a Secret, in the Kustomization's namespace, holding a
	// kubeconfig under 'key', else 'value' or 'value.yaml'.
	// +optional
	SecretRef *meta.SecretKeyReference `json:"secretRef,omitempty"`
}

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
