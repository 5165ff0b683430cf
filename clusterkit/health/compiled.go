package health

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

// Exprs are compiled healthCheckExprs, for a caller that must know which
// kinds they cover: the helm-controller waits for hooks of those kinds.
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
