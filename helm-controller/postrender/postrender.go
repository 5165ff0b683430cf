package postrender

import (
	"bytes"
	"fmt"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/postrenderer"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
)

// step is one post-renderer of the chain.
type step interface {
	name() string
	run(manifests []byte) ([]byte, error)
}

// Chain runs its steps in order; it is a Helm post-renderer.
type Chain struct {
	steps []step
}

var _ postrenderer.PostRenderer = (*Chain)(nil)

// New returns the post-renderer of obj, Flux's order: each kustomize entry
// of spec.postRenderers, then spec.commonMetadata, then the origin labels.
// It always has the origin labels, so every release has a post-renderer,
// as in Flux.
func New(obj *helmv2.HelmRelease) *Chain {
	c := &Chain{}
	for i, r := range obj.Spec.PostRenderers {
		if r.Kustomize != nil {
			c.steps = append(c.steps, &kustomize{index: i, spec: *r.Kustomize})
		}
	}
	if m := obj.Spec.CommonMetadata; m != nil && (len(m.Labels) > 0 || len(m.Annotations) > 0) {
		c.steps = append(c.steps, &metadata{what: "spec.commonMetadata", labels: m.Labels, annotations: m.Annotations})
	}
	c.steps = append(c.steps, &metadata{what: "origin labels", labels: OriginLabels(obj.Namespace, obj.Name)})
	return c
}

// OriginLabels are the labels every object of a HelmRelease's release
// carries: the HelmRelease's name and namespace under Flux's group.
func OriginLabels(namespace, name string) map[string]string {
	group := helmv2.GroupVersion.Group
	return map[string]string{group + "/name": name, group + "/namespace": namespace}
}

// Run is Helm's post-renderer hook. An error names the post-renderer that
// failed (spec.postRenderers[1].kustomize: ...), for the condition message.
func (c *Chain) Run(rendered *bytes.Buffer) (*bytes.Buffer, error) {
	out, err := resolveAliases(rendered.Bytes())
	if err != nil {
		return nil, err
	}
	for _, s := range c.steps {
		next, err := s.run(out)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name(), err)
		}
		out = next
	}
	return bytes.NewBuffer(out), nil
}

// Strategy is Helm's post-render strategy for spec.postRenderStrategy:
// whether hooks go through the post-renderers. Unset is Helm 4's default,
// hooks and templates together.
func Strategy(obj *helmv2.HelmRelease) action.PostRenderStrategy {
	switch obj.Spec.PostRenderStrategy {
	case helmv2.PostRenderStrategyNoHooks:
		return action.PostRenderStrategyNoHooks
	case helmv2.PostRenderStrategySeparate:
		return action.PostRenderStrategySeparate
	default:
		return action.PostRenderStrategyCombined
	}
}
