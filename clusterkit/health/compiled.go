package health

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/clusterkit/inventory"
)

// Exprs are healthCheckExprs compiled once, for a caller that reads the
// objects itself: the helm-controller hands them to Helm's wait as a
// kstatus status reader.
type Exprs struct {
	rules *rules
}

// Compile compiles healthCheckExprs; the error is an *InvalidExprError.
func Compile(checks []kustomizev1.CustomHealthCheck) (*Exprs, error) {
	rs, err := compile(checks)
	if err != nil {
		return nil, err
	}
	return &Exprs{rules: rs}, nil
}

// Empty tells whether there are no expressions.
func (e *Exprs) Empty() bool { return e == nil || len(e.rules.byKind) == 0 }

// CoversGroupKind tells whether an entry may cover objects of the group
// and kind in some version: one naming the kind, or a kind-less one of the
// group.
func (e *Exprs) CoversGroupKind(gk schema.GroupKind) bool {
	if e == nil {
		return false
	}
	for gvk := range e.rules.byKind {
		if gvk.Group == gk.Group && (gvk.Kind == gk.Kind || gvk.Kind == "") {
			return true
		}
	}
	return false
}

// Evaluate returns obj's health by the entry covering its apiVersion and
// kind, and false when no entry covers it (the caller reads its kstatus).
func (e *Exprs) Evaluate(obj *unstructured.Unstructured) (Result, bool) {
	if e == nil {
		return Result{}, false
	}
	r := e.rules.forKind(obj.GetAPIVersion(), obj.GetKind())
	if r == nil {
		return Result{}, false
	}
	st, msg := r.evaluate(obj)
	return Result{Ref: inventory.RefOf(obj), Status: st, Message: msg}, true
}
