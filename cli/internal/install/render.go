package install

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/tidegitops/tide/manifests"
)

// FieldManager owns every field the CLI applies.
const FieldManager = "tide"

// embeddedNamespace is the namespace the embedded manifests are written for.
const embeddedNamespace = "flux-system"

// Render returns what installing components into namespace applies: every
// CRD, the Namespace, then each component's objects (a kustomize build of
// its embedded folder with the namespace replaced), in that order.
func Render(components []string, namespace string) ([]*unstructured.Unstructured, error) {
	if err := ValidateComponents(components); err != nil {
		return nil, err
	}
	objs, err := CRDs()
	if err != nil {
		return nil, err
	}
	objs = append(objs, namespaceObject(namespace))
	for _, c := range components {
		built, err := buildComponent(c, namespace)
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", c, err)
		}
		objs = append(objs, built...)
	}
	return objs, nil
}

// ValidateComponents refuses an empty list and names Tide does not ship.
func ValidateComponents(components []string) error {
	if len(components) == 0 {
		return errors.New("no components chosen: pick from " + strings.Join(allComponents(), ", "))
	}
	for _, c := range components {
		if !slices.Contains(allComponents(), c) {
			return fmt.Errorf("unknown component %q: pick from %s", c, strings.Join(allComponents(), ", "))
		}
	}
	return nil
}

// CRDs returns the CustomResourceDefinitions of manifests/crds.
func CRDs() ([]*unstructured.Unstructured, error) {
	entries, err := fs.ReadDir(manifests.FS, "crds")
	if err != nil {
		return nil, err
	}
	var objs []*unstructured.Unstructured
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		data, err := fs.ReadFile(manifests.FS, path.Join("crds", e.Name()))
		if err != nil {
			return nil, err
		}
		docs, err := Decode(data)
		if err != nil {
			return nil, fmt.Errorf("crds/%s: %w", e.Name(), err)
		}
		objs = append(objs, docs...)
	}
	return objs, nil
}

func namespaceObject(name string) *unstructured.Unstructured {
	ns := &unstructured.Unstructured{}
	ns.SetAPIVersion("v1")
	ns.SetKind("Namespace")
	ns.SetName(name)
	ns.SetLabels(map[string]string{"app.kubernetes.io/part-of": "tide"})
	return ns
}

// buildComponent runs kustomize on an overlay of the embedded folder that
// sets namespace, all in memory.
func buildComponent(component, namespace string) ([]*unstructured.Unstructured, error) {
	fsys := filesys.MakeFsInMemory()
	err := fs.WalkDir(manifests.FS, component, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(manifests.FS, p)
		if err != nil {
			return err
		}
		return fsys.WriteFile("/"+p, data)
	})
	if err != nil {
		return nil, err
	}
	overlay := fmt.Sprintf("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: %s\nresources:\n- ../%s\n", namespace, component)
	if err := fsys.WriteFile("/tide-overlay/kustomization.yaml", []byte(overlay)); err != nil {
		return nil, err
	}
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fsys, "/tide-overlay")
	if err != nil {
		return nil, err
	}
	data, err := resources.AsYaml()
	if err != nil {
		return nil, err
	}
	objs, err := Decode(data)
	if err != nil {
		return nil, err
	}
	for _, o := range objs {
		setSubjectNamespaces(o, namespace)
	}
	return objs, nil
}

// setSubjectNamespaces points the ServiceAccount subjects of (Cluster)RoleBindings at
// namespace: kustomize's namespace field only moves subjects named "default".
func setSubjectNamespaces(o *unstructured.Unstructured, namespace string) {
	if o.GetKind() != "ClusterRoleBinding" && o.GetKind() != "RoleBinding" {
		return
	}
	subjects, _, _ := unstructured.NestedSlice(o.Object, "subjects")
	for _, s := range subjects {
		m, ok := s.(map[string]any)
		if ok && m["kind"] == "ServiceAccount" && m["namespace"] == embeddedNamespace {
			m["namespace"] = namespace
		}
	}
	_ = unstructured.SetNestedSlice(o.Object, subjects, "subjects")
}

// Decode parses multi-document YAML into objects, skipping empty documents.
func Decode(data []byte) ([]*unstructured.Unstructured, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var objs []*unstructured.Unstructured
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, err
		}
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(js)) == 0 || string(js) == "null" {
			continue
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(js); err != nil {
			return nil, err
		}
		objs = append(objs, u)
	}
}

// Encode prints objects as multi-document YAML, each document starting
// with '---'. The output is stable: the same objects give the same bytes.
func Encode(objs []*unstructured.Unstructured) ([]byte, error) {
	var buf bytes.Buffer
	for _, o := range objs {
		data, err := yaml.Marshal(o.Object)
		if err != nil {
			return nil, err
		}
		buf.WriteString("---\n")
		buf.Write(data)
	}
	return buf.Bytes(), nil
}
