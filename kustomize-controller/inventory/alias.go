package inventory

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	clusterinventory "github.com/tidegitops/tide/clusterkit/inventory"
)

// ObjectRef names one object of an inventory. The format lives in
// clusterkit/inventory, shared with the helm-controller and the health
// checker; this package keeps the names the controller and the CLI use.
type ObjectRef = clusterinventory.ObjectRef

// RefOf returns the reference to an object.
func RefOf(obj *unstructured.Unstructured) ObjectRef { return clusterinventory.RefOf(obj) }

// ParseID reads an inventory id and version back into a reference.
func ParseID(id, version string) (ObjectRef, error) { return clusterinventory.ParseID(id, version) }
