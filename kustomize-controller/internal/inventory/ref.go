package inventory

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	public "github.com/tidegitops/tide/kustomize-controller/inventory"
)

// ObjectRef names one object the controller applies, prunes or checks. It
// and its id format live in the public inventory package, which the tide CLI
// reads inventories with, so the two can never disagree on an id.
type ObjectRef = public.ObjectRef

// RefOf returns the reference to an object.
func RefOf(obj *unstructured.Unstructured) ObjectRef { return public.RefOf(obj) }

// ParseID reads an inventory id and version back into a reference.
func ParseID(id, version string) (ObjectRef, error) { return public.ParseID(id, version) }
