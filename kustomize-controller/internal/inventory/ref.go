package inventory

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ObjectRef names one object the controller applies, prunes or checks.
type ObjectRef struct {
	Group     string
	Version   string
	Kind      string
	Namespace string
	Name      string
}

// RefOf returns the reference to an object.
func RefOf(obj *unstructured.Unstructured) ObjectRef {
	gvk := obj.GroupVersionKind()
	return ObjectRef{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind,
		Namespace: obj.GetNamespace(), Name: obj.GetName()}
}

// ID is the inventory id, as Flux writes it: <namespace>_<name>_<group>_<kind>.
// The version is kept apart, so an object whose API version changes in Git is
// still the same object.
func (r ObjectRef) ID() string {
	return strings.Join([]string{r.Namespace, r.Name, r.Group, r.Kind}, "_")
}

// GroupVersionKind returns the object's kind with its version.
func (r ObjectRef) GroupVersionKind() schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: r.Group, Version: r.Version, Kind: r.Kind}
}

// String is how objects are named in events, logs and conditions:
// Kind/namespace/name, or Kind/name for cluster-wide objects.
func (r ObjectRef) String() string {
	if r.Namespace == "" {
		return r.Kind + "/" + r.Name
	}
	return r.Kind + "/" + r.Namespace + "/" + r.Name
}

// ParseID reads an inventory id and version back into a reference.
func ParseID(id, version string) (ObjectRef, error) {
	parts := strings.Split(id, "_")
	if len(parts) != 4 {
		return ObjectRef{}, fmt.Errorf("invalid inventory id %q: want <namespace>_<name>_<group>_<kind>", id)
	}
	return ObjectRef{Namespace: parts[0], Name: parts[1], Group: parts[2], Kind: parts[3], Version: version}, nil
}
