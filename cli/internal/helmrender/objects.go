package helmrender

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Helm's ownership metadata, which it adds to every object of a release
// as it applies them (they are not in the manifest).
const (
	managedByLabel             = "app.kubernetes.io/managed-by"
	managedByHelm              = "Helm"
	releaseNameAnnotation      = "meta.helm.sh/release-name"
	releaseNamespaceAnnotation = "meta.helm.sh/release-namespace"
)

// Objects returns the objects of the release's manifest as Helm applies
// them: in the release namespace unless they name one (cluster-scoped
// kinds in none), with Helm's ownership label and annotations.
func (r *Result) Objects(c client.Client) ([]*unstructured.Unstructured, error) {
	return objectsOf(c, r.Manifest, r.Target)
}

// PreviousObjects returns the objects of the release in storage, with
// their namespaces as Helm set them; nil when there is none.
func (r *Result) PreviousObjects(c client.Client) ([]*unstructured.Unstructured, error) {
	return objectsOf(c, r.Previous, r.Target)
}

func objectsOf(c client.Client, manifest string, t Target) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewBufferString(manifest), 4096)
	var out []*unstructured.Unstructured
	for {
		obj := &unstructured.Unstructured{}
		err := dec.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read the rendered manifest: %w", err)
		}
		if len(obj.Object) == 0 {
			continue
		}
		namespaced, err := c.IsObjectNamespaced(obj)
		switch {
		case meta.IsNoMatchError(err):
			// A kind of the chart's own CRDs, not installed yet.
		case err != nil:
			return nil, err
		case !namespaced:
			obj.SetNamespace("")
		case obj.GetNamespace() == "":
			obj.SetNamespace(t.Namespace)
		}
		labels := obj.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[managedByLabel] = managedByHelm
		obj.SetLabels(labels)
		annotations := obj.GetAnnotations()
		if annotations == nil {
			annotations = map[string]string{}
		}
		annotations[releaseNameAnnotation] = t.Name
		annotations[releaseNamespaceAnnotation] = t.Namespace
		obj.SetAnnotations(annotations)
		out = append(out, obj)
	}
}
