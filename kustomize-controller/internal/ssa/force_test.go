package ssa

import (
	"errors"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tidegitops/tide/testkit"
)

// The data of an immutable ConfigMap cannot change: without force, Apply
// refuses and says how to allow it; with the force annotation, or
// ApplyOptions.Force, it deletes the object and creates it again.
func TestImmutableFieldChange(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	m := newManager()
	version := func(v string) *unstructured.Unstructured {
		cm := configMap(t, ns, "frozen", "{v: '"+v+"'}")
		cm.Object["immutable"] = true
		return cm
	}
	apply(t, m, ApplyOptions{}, version("1"))
	uid := live(t, version("1")).GetUID()

	_, err := m.Apply(t.Context(), []*unstructured.Unstructured{version("2")}, ApplyOptions{})
	var invalid *InvalidError
	if !errors.As(err, &invalid) {
		t.Fatalf("err = %v, want an *InvalidError", err)
	}
	for _, want := range []string{"ConfigMap/" + ns + "/frozen", "immutable", ForceAnnotation, "spec.force"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if got := data(t, version("1"))["v"]; got != "1" {
		t.Errorf("data.v = %q after a refused change", got)
	}

	tests := []struct {
		name string
		obj  *unstructured.Unstructured
		opts ApplyOptions
	}{
		{name: "annotation", obj: version("2"), opts: ApplyOptions{}},
		{name: "spec.force", obj: version("3"), opts: ApplyOptions{Force: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "annotation" {
				tt.obj.SetAnnotations(map[string]string{ForceAnnotation: "Enabled"})
			}
			cs := apply(t, m, tt.opts, tt.obj)
			if cs[0].Action != Created {
				t.Errorf("action = %s, want created", cs[0].Action)
			}
			got := live(t, tt.obj)
			if got.GetUID() == uid {
				t.Error("the object was not recreated: same UID")
			}
			uid = got.GetUID()
			if want, _, _ := unstructured.NestedString(tt.obj.Object, "data", "v"); data(t, tt.obj)["v"] != want {
				t.Errorf("data.v = %q, want %q", data(t, tt.obj)["v"], want)
			}
		})
	}
}
