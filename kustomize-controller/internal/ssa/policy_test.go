package ssa

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/testkit"
)

// Someone adds a label and a data key with kubectl edit, and an annotation
// under another field manager. Override (the default) removes kubectl's
// additions and keeps the other manager's; Merge keeps both.
func TestOverrideAndMergeOfOtherManagersFields(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	m := newManager()
	tests := []struct {
		name        string
		annotation  string
		wantAction  Action
		wantKubectl bool // kubectl's label and data key still there
	}{
		{name: "override", annotation: "", wantAction: Configured, wantKubectl: false},
		{name: "merge", annotation: "Merge", wantAction: Unchanged, wantKubectl: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cm := configMap(t, ns, tt.name, "{a: '1'}")
			if tt.annotation != "" {
				cm.SetAnnotations(map[string]string{SSAAnnotation: tt.annotation})
			}
			apply(t, m, ApplyOptions{}, cm)
			edit(t, cm, "kubectl-edit", func(u *unstructured.Unstructured) {
				u.SetLabels(map[string]string{"edited": "by-hand"})
				_ = unstructured.SetNestedField(u.Object, "x", "data", "extra")
			})
			edit(t, cm, "autoscaler", func(u *unstructured.Unstructured) {
				a := u.GetAnnotations()
				if a == nil {
					a = map[string]string{}
				}
				a["scaler"] = "on"
				u.SetAnnotations(a)
			})

			cs := apply(t, m, ApplyOptions{}, cm)
			if cs[0].Action != tt.wantAction {
				t.Errorf("action = %s, want %s", cs[0].Action, tt.wantAction)
			}
			got := live(t, cm)
			_, hasLabel := got.GetLabels()["edited"]
			_, hasKey := data(t, cm)["extra"]
			if hasLabel != tt.wantKubectl || hasKey != tt.wantKubectl {
				t.Errorf("kubectl's label kept: %v, data key kept: %v; want %v", hasLabel, hasKey, tt.wantKubectl)
			}
			if got.GetAnnotations()["scaler"] != "on" {
				t.Errorf("the autoscaler's annotation was removed: %v", got.GetAnnotations())
			}
			if data(t, cm)["a"] != "1" {
				t.Errorf("data.a = %q, want Git's 1", data(t, cm)["a"])
			}
			if cs := apply(t, m, ApplyOptions{}, cm); cs.Changed() {
				t.Errorf("apply after: %q, want unchanged", lines(cs))
			}
		})
	}
}

// An object once applied with kubectl apply (client-side) and since adopted
// by Git: Override drops the last-applied annotation and the fields Git no
// longer has, and nothing of kubectl stays in managedFields.
func TestOverrideTakesOverClientSideApply(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	old := configMap(t, ns, "adopted", "{a: '1', old: 'gone soon'}")
	old.SetAnnotations(map[string]string{lastAppliedAnnotation: `{"data":{"a":"1","old":"gone soon"}}`})
	if err := cp.Client.Create(t.Context(), old, client.FieldOwner("kubectl-client-side-apply")); err != nil {
		t.Fatal(err)
	}
	cm := configMap(t, ns, "adopted", "{a: '1'}")
	m := newManager()

	if cs := apply(t, m, ApplyOptions{}, cm); cs[0].Action != Configured {
		t.Errorf("action = %s, want configured", cs[0].Action)
	}
	got := live(t, cm)
	if !reflect.DeepEqual(data(t, cm), map[string]string{"a": "1"}) {
		t.Errorf("data = %v, want only Git's a", data(t, cm))
	}
	if _, ok := got.GetAnnotations()[lastAppliedAnnotation]; ok {
		t.Error("last-applied-configuration annotation kept")
	}
	for _, e := range got.GetManagedFields() {
		if e.Manager != owner {
			t.Errorf("managedFields still has %s (%s)", e.Manager, e.Operation)
		}
	}
	if cs := apply(t, m, ApplyOptions{}, cm); cs.Changed() {
		t.Errorf("apply after: %q, want unchanged", lines(cs))
	}

	// With Merge, the same history is left as it is.
	if err := cp.Client.Create(t.Context(), configMap(t, ns, "merged", "{a: '1', old: 'stays'}"),
		client.FieldOwner("kubectl-client-side-apply")); err != nil {
		t.Fatal(err)
	}
	merged := configMap(t, ns, "merged", "{a: '1'}")
	merged.SetAnnotations(map[string]string{SSAAnnotation: "merge"})
	apply(t, m, ApplyOptions{}, merged)
	if data(t, merged)["old"] != "stays" {
		t.Errorf("Merge removed a field kubectl set: %v", data(t, merged))
	}
}

// IfNotPresent creates a missing object and never updates it.
func TestIfNotPresent(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	cm := configMap(t, ns, "seed", "{a: '1'}")
	cm.SetAnnotations(map[string]string{SSAAnnotation: "IfNotPresent"})
	m := newManager()

	if cs := apply(t, m, ApplyOptions{}, cm); cs[0].Action != Created {
		t.Errorf("first apply: %s, want created", cs[0].Action)
	}
	edit(t, cm, "cert-manager", func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedField(u.Object, "rotated", "data", "a")
	})
	cs := apply(t, m, ApplyOptions{}, cm)
	if cs[0].Action != Skipped || cs.Changed() {
		t.Errorf("apply over an existing object: %q, want skipped", lines(cs))
	}
	if got := data(t, cm)["a"]; got != "rotated" {
		t.Errorf("data.a = %q: IfNotPresent overwrote the live object", got)
	}
}

// Ignore never applies the object; reconcile: disabled on the live object
// stops Apply from touching it.
func TestIgnoreAndReconcileDisabled(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	m := newManager()

	ignored := configMap(t, ns, "ignored", "{a: '1'}")
	ignored.SetAnnotations(map[string]string{SSAAnnotation: "Ignore"})
	if cs := apply(t, m, ApplyOptions{}, ignored); cs[0].Action != Skipped {
		t.Errorf("action = %s, want skipped", cs[0].Action)
	}
	if live(t, ignored) != nil {
		t.Error("an ignored object was created")
	}

	paused := configMap(t, ns, "paused", "{a: '1'}")
	apply(t, m, ApplyOptions{}, paused)
	edit(t, paused, "kubectl-edit", func(u *unstructured.Unstructured) {
		u.SetAnnotations(map[string]string{ReconcileAnnotation: "disabled"})
		_ = unstructured.SetNestedField(u.Object, "hot-fix", "data", "a")
	})
	if cs := apply(t, m, ApplyOptions{}, paused); cs[0].Action != Skipped {
		t.Errorf("action = %s, want skipped", cs[0].Action)
	}
	if got := data(t, paused)["a"]; got != "hot-fix" {
		t.Errorf("data.a = %q: a paused object was reverted", got)
	}
}
