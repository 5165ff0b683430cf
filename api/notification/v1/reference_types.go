package v1

// CrossNamespaceObjectReference names the Flux objects an Alert listens to,
// or a Receiver asks to reconcile, possibly in another namespace.
type CrossNamespaceObjectReference struct {
	// APIVersion of the object, e.g. kustomize.toolkit.fluxcd.io/v1.
	// +optional
	APIVersion string `json:"apiVersion,omitempty"`

	// Kind of the object.
	// +kubebuilder:validation:Enum=Bucket;GitRepository;Kustomization;HelmRelease;HelmChart;HelmRepository;ImageRepository;ImagePolicy;ImageUpdateAutomation;OCIRepository;ArtifactGenerator;ExternalArtifact
	// +required
	Kind string `json:"kind"`

	// Name of the object; `*` stands for every object of the kind (in the
	// namespace), narrowed by MatchLabels.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`

	// Namespace of the object; empty means the namespace of the referrer.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Optional
	// +optional
	Namespace string `json:"namespace,omitempty"`

	// MatchLabels selects objects by their labels, every pair required.
	// Only meaningful with Name `*`.
	// +optional
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
}
