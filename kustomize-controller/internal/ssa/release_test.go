package ssa

import (
	"encoding/json"
	"errors"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tidegitops/tide/testkit"
)

// A set the apiserver rejects writes nothing, not even the release of
// ignored fields from managedFields: the object whose ignored field the
// controller owns keeps its managedFields byte for byte. Once the set is
// valid, the field is released and kept.
func TestRejectedSetReleasesNothing(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	m := newManager()
	owned := configMap(t, ns, "owned", "{a: '1', b: '2'}")
	apply(t, m, ApplyOptions{}, owned)
	before := live(t, owned)
	beforeFields, _ := json.Marshal(before.GetManagedFields())

	ignoreA := func(o *unstructured.Unstructured) [][]string {
		if o.GetName() == "owned" {
			return [][]string{{"data", "a"}}
		}
		return nil
	}
	withoutA := configMap(t, ns, "owned", "{b: '2'}")
	invalid := configMap(t, ns, "Not_A_Name", "{a: '1'}")
	_, err := m.Apply(t.Context(), []*unstructured.Unstructured{withoutA, invalid}, ApplyOptions{Ignored: ignoreA})
	var rejected *InvalidError
	if !errors.As(err, &rejected) {
		t.Fatalf("err = %v, want an *InvalidError", err)
	}
	after := live(t, owned)
	afterFields, _ := json.Marshal(after.GetManagedFields())
	if string(afterFields) != string(beforeFields) || after.GetResourceVersion() != before.GetResourceVersion() {
		t.Errorf("managedFields changed by a rejected apply:\nbefore %s\nafter  %s", beforeFields, afterFields)
	}

	cs := apply(t, m, ApplyOptions{Ignored: ignoreA}, withoutA)
	if cs[0].Action != Unchanged {
		t.Errorf("action = %s, want unchanged: the ignored field keeps its value", cs[0].Action)
	}
	// A drift elsewhere makes the next apply write: the field is released
	// first, so that the apply, which does not set it, leaves it.
	edit(t, owned, "ops", func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedField(u.Object, "drift", "data", "b")
	})
	if cs := apply(t, m, ApplyOptions{Ignored: ignoreA}, withoutA); cs[0].Action != Configured {
		t.Errorf("action = %s, want configured", cs[0].Action)
	}
	if got := data(t, owned); got["a"] != "1" || got["b"] != "2" {
		t.Errorf("data = %v, want the ignored field kept and the other corrected", got)
	}
}
