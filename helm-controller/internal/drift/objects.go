package drift

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"helm.sh/helm/v4/pkg/kube"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// FieldManager is the field manager Helm's kube client writes with, as
// Helm picks it: kube.ManagedFieldsManager when set, else the name of the
// program (helm-controller).
func FieldManager() string {
	if kube.ManagedFieldsManager != "" {
		return kube.ManagedFieldsManager
	}
	if len(os.Args) == 0 || os.Args[0] == "" {
		return "unknown"
	}
	return filepath.Base(os.Args[0])
}

// Objects reads the objects of a release's manifest, as Helm made them in
// the cluster: with Helm's ownership label and annotations, and in the
// release's namespace when namespaced and the manifest names none.
func Objects(manifest, releaseName, releaseNamespace string, mapper meta.RESTMapper) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader([]byte(manifest)), 4096)
	var objs []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return objs, nil
			}
			return nil, fmt.Errorf("read the release manifest: %w", err)
		}
		if len(u.Object) == 0 {
			continue
		}
		if u.GetNamespace() == "" {
			gvk := u.GroupVersionKind()
			m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
			if err != nil {
				return nil, fmt.Errorf("find the kind of %s: %w", name(u), err)
			}
			if m.Scope.Name() == meta.RESTScopeNameNamespace {
				u.SetNamespace(releaseNamespace)
			}
		}
		setHelmMetadata(u, releaseName, releaseNamespace)
		objs = append(objs, u)
	}
}

// setHelmMetadata sets what Helm sets on every object it makes and checks
// before it takes one over: the dry-run apply must not take it away.
func setHelmMetadata(u *unstructured.Unstructured, releaseName, releaseNamespace string) {
	labels := u.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels["app.kubernetes.io/managed-by"] = "Helm"
	u.SetLabels(labels)
	annotations := u.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations["meta.helm.sh/release-name"] = releaseName
	annotations["meta.helm.sh/release-namespace"] = releaseNamespace
	u.SetAnnotations(annotations)
}

// name is Kind/namespace/name, as Flux names objects in drift messages.
func name(u *unstructured.Unstructured) string {
	return fmt.Sprintf("%s/%s/%s", u.GetKind(), u.GetNamespace(), u.GetName())
}
