package v2

import kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"

// PostRenderer changes the rendered manifests before Helm applies them.
type PostRenderer struct {
	// Kustomize patches and image overrides.
	// +optional
	Kustomize *Kustomize `json:"kustomize,omitempty"`
}

// Kustomize is a post-renderer applying kustomize patches and images.
type Kustomize struct {
	// Patches, strategic-merge or JSON 6902, given inline, with the objects
	// they target.
	// +optional
	Patches []kustomizev1.Patch `json:"patches,omitempty"`

	// Images rewrites image names, tags or digests.
	// +optional
	Images []kustomizev1.Image `json:"images,omitempty"`
}

// PostRenderStrategy chooses whether hooks go through the post-renderers.
type PostRenderStrategy string

const (
	// PostRenderStrategyNoHooks leaves hooks out, as Helm 3 did.
	PostRenderStrategyNoHooks PostRenderStrategy = "nohooks"
	// PostRenderStrategyCombined sends hooks and templates as one stream,
	// Helm 4's default.
	PostRenderStrategyCombined PostRenderStrategy = "combined"
	// PostRenderStrategySeparate sends hooks and templates as two streams.
	PostRenderStrategySeparate PostRenderStrategy = "separate"
)

// CommonMetadata holds labels and annotations for every object of the
// release.
type CommonMetadata struct {
	// Annotations to add.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`

	// Labels to add.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`
}

// WaitStrategyName is how Helm waits for objects to be ready.
type WaitStrategyName string

const (
	// WaitStrategyPoller polls the objects' status with kstatus.
	WaitStrategyPoller WaitStrategyName = "poller"
	// WaitStrategyLegacy waits as Helm 3 did.
	WaitStrategyLegacy WaitStrategyName = "legacy"
)

// WaitStrategy chooses how Helm waits for objects to be ready.
type WaitStrategy struct {
	// Name of the strategy: 'poller' (the default) or 'legacy'.
	// +kubebuilder:validation:Enum=poller;legacy
	// +required
	Name WaitStrategyName `json:"name"`
}
