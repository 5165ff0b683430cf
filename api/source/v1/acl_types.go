package v1

// AccessFrom is Flux's provisional access-control list for references to a
// source from other namespaces (spec.accessFrom of HelmRepository). The
// schema matches Flux's so manifests that set it still apply; Flux itself
// does not act on it yet, and neither does Tide.
type AccessFrom struct {
	// NamespaceSelectors lists the namespaces allowed to refer to this
	// object; a namespace matching any one of them is allowed.
	// +required
	NamespaceSelectors []NamespaceSelector `json:"namespaceSelectors"`
}

// NamespaceSelector matches namespaces by their labels.
type NamespaceSelector struct {
	// MatchLabels are labels a namespace must all carry; an empty map
	// matches every namespace.
	// +optional
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
}
