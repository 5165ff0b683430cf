package postrender

import (
	"fmt"
	"maps"
	"slices"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// metadata sets labels and annotations in the metadata of every object,
// replacing a value the chart gave under the same key, as Flux's label and
// annotation transformers do (metadata only: selectors and pod templates
// are left alone, so a Deployment's selector never changes under it).
type metadata struct {
	what        string
	labels      map[string]string
	annotations map[string]string
}

func (m *metadata) name() string { return m.what }

func (m *metadata) run(manifests []byte) ([]byte, error) {
	nodes, err := kio.ParseAll(string(manifests))
	if err != nil {
		return nil, fmt.Errorf("read rendered manifests: %w", err)
	}
	for _, n := range nodes {
		for _, k := range slices.Sorted(maps.Keys(m.labels)) {
			if err := n.PipeE(yaml.SetLabel(k, m.labels[k])); err != nil {
				return nil, fmt.Errorf("set label %s on %s: %w", k, describe(n), err)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(m.annotations)) {
			if err := n.PipeE(yaml.SetAnnotation(k, m.annotations[k])); err != nil {
				return nil, fmt.Errorf("set annotation %s on %s: %w", k, describe(n), err)
			}
		}
	}
	out, err := kio.StringAll(nodes)
	if err != nil {
		return nil, err
	}
	return []byte(out), nil
}

// describe names an object for an error message.
func describe(n *yaml.RNode) string {
	return n.GetKind() + "/" + n.GetName()
}
