package v1

// Image rewrites an image reference in the built objects.
type Image struct {
	// Name is the image name to match, without a tag.
	// +required
	Name string `json:"name"`

	// NewName replaces the name.
	// +optional
	NewName string `json:"newName,omitempty"`

	// NewTag replaces the tag.
	// +optional
	NewTag string `json:"newTag,omitempty"`

	// Digest replaces the tag with a digest; it wins over NewTag.
	// +optional
	Digest string `json:"digest,omitempty"`
}

// Selector picks objects; an object must match every field that is set.
type Selector struct {
	// Group of the objects.
	// +optional
	Group string `json:"group,omitempty"`

	// Version of the objects.
	// +optional
	Version string `json:"version,omitempty"`

	// Kind of the objects.
	// +optional
	Kind string `json:"kind,omitempty"`

	// Namespace of the objects.
	// +optional
	Namespace string `json:"namespace,omitempty"`

	// Name of the objects (a regular expression, as in kustomize).
	// +optional
	Name string `json:"name,omitempty"`

	// AnnotationSelector matches annotations with label-selector syntax.
	// +optional
	AnnotationSelector string `json:"annotationSelector,omitempty"`

	// LabelSelector matches labels with label-selector syntax.
	// +optional
	LabelSelector string `json:"labelSelector,omitempty"`
}

// Patch is a strategic-merge or JSON 6902 patch, given inline, and the
// objects it applies to.
type Patch struct {
	// Patch is the patch document.
	// +required
	Patch string `json:"patch,omitempty"`

	// Target selects the objects to patch.
	// +optional
	Target *Selector `json:"target,omitempty"`
}

// CustomHealthCheck tells how to read the health of a kind kstatus does not
// understand, with CEL expressions over the object.
type CustomHealthCheck struct {
	// APIVersion of the kind.
	// +required
	APIVersion string `json:"apiVersion"`

	// Kind the expressions apply to; every kind of APIVersion when unset.
	// +optional
	Kind string `json:"kind,omitempty"`

	HealthCheckExpressions `json:",inline"`
}

// HealthCheckExpressions are CEL expressions evaluated in order: failed,
// then current, then inProgress.
type HealthCheckExpressions struct {
	// InProgress is true while the object is still progressing.
	// +optional
	InProgress string `json:"inProgress,omitempty"`

	// Failed is true when the object has failed.
	// +optional
	Failed string `json:"failed,omitempty"`

	// Current is true when the object is healthy.
	// +required
	Current string `json:"current"`
}
