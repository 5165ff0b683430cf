package clusterdiff

import (
	"reflect"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Masks shown in place of the values of Secrets.
const (
	masked       = "***"
	maskedBefore = "*** (before)"
	maskedAfter  = "*** (after)"
)

// lastApplied is kubectl's annotation, which holds a copy of the values.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// maskSecret replaces every value of the Secrets live and merged (data,
// stringData, and kubectl's last-applied annotation, which copies them) with
// a mask: the same mask on both sides when the value is the same, "(before)"
// and "(after)" when it changes. The diff then shows which keys change and
// never what they hold.
func maskSecret(live, merged *unstructured.Unstructured) {
	for _, field := range []string{"data", "stringData"} {
		a, _ := live.Object[field].(map[string]any)
		b, _ := merged.Object[field].(map[string]any)
		maskValues(a, b)
	}
	la, lb := live.GetAnnotations(), merged.GetAnnotations()
	a, b := map[string]any{}, map[string]any{}
	if v, ok := la[lastApplied]; ok {
		a[lastApplied] = v
	}
	if v, ok := lb[lastApplied]; ok {
		b[lastApplied] = v
	}
	maskValues(a, b)
	if v, ok := a[lastApplied]; ok {
		la[lastApplied] = v.(string)
		live.SetAnnotations(la)
	}
	if v, ok := b[lastApplied]; ok {
		lb[lastApplied] = v.(string)
		merged.SetAnnotations(lb)
	}
}

// maskValues masks the values of a (before) and b (after) in place.
func maskValues(a, b map[string]any) {
	for k, va := range a {
		vb, inB := b[k]
		switch {
		case !inB:
			a[k] = masked
		case reflect.DeepEqual(va, vb):
			a[k], b[k] = masked, masked
		default:
			a[k], b[k] = maskedBefore, maskedAfter
		}
	}
	for k := range b {
		if _, inA := a[k]; !inA {
			b[k] = masked
		}
	}
}
