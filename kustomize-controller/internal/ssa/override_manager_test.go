package ssa

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tidegitops/tide/testkit"
)

// --override-manager: the fields of a manager named there (by prefix, as
// Flux matches it) are taken over like kubectl's, so the apply removes what
// Git does not set; those of a manager not named stay, as without the flag.
func TestOverrideManagers(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	tests := []struct {
		name      string
		overrides []string
		wantHelm  bool // helm-controller's data key still there
	}{
		{name: "named", overrides: []string{"helm"}, wantHelm: false},
		{name: "not-named", overrides: nil, wantHelm: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newManager()
			m.OverrideManagers = tt.overrides
			cm := configMap(t, ns, tt.name, "{a: '1'}")
			apply(t, m, ApplyOptions{}, cm)
			edit(t, cm, "helm-controller", func(u *unstructured.Unstructured) {
				_ = unstructured.SetNestedField(u.Object, "from-helm", "data", "helm")
				_ = unstructured.SetNestedField(u.Object, "2", "data", "a")
			})
			edit(t, cm, "autoscaler", func(u *unstructured.Unstructured) {
				_ = unstructured.SetNestedField(u.Object, "on", "data", "scaler")
			})
			edit(t, cm, "kubectl-edit", func(u *unstructured.Unstructured) {
				_ = unstructured.SetNestedField(u.Object, "by-hand", "data", "kubectl")
			})

			apply(t, m, ApplyOptions{}, cm)
			got := data(t, cm)
			if _, ok := got["helm"]; ok != tt.wantHelm {
				t.Errorf("helm-controller's key kept: %v, want %v (data %v)", ok, tt.wantHelm, got)
			}
			if got["a"] != "1" {
				t.Errorf("data.a = %q, want Git's 1", got["a"])
			}
			if got["scaler"] != "on" {
				t.Errorf("the autoscaler's key was removed: %v", got)
			}
			if _, ok := got["kubectl"]; ok {
				t.Errorf("kubectl's key kept: %v; kubectl's fields are always taken over", got)
			}
		})
	}
}
