package ssa

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
	"github.com/tidegitops/tide/testkit"
)

// protection is a setting put on an applied object in the cluster.
type protection struct {
	name, key, value string
	label            bool
}

// Set on the object in the cluster, as a label or as an annotation,
// prune: disabled and reconcile: disabled keep Delete from deleting it, as
// Flux's exclusions do.
func TestDeleteSkipsPruneDisabledLabel(t *testing.T) {
	deleteProtected(t, []protection{
		{"prune-label", PruneAnnotation, "disabled", true},
		{"prune-annotation", PruneAnnotation, "Disabled", false},
		{"reconcile-label", ReconcileAnnotation, "disabled", true},
	})
}

// deleteProtected applies one owned ConfigMap per protection and one
// without, sets each protection on its object in the cluster, as another
// manager, and checks that Delete deletes only the unprotected one.
func deleteProtected(t *testing.T, protections []protection) {
	t.Helper()
	ns := testkit.NewNamespace(t, cp.Client)
	m := newManager()
	var refs []inventory.ObjectRef
	var protected []*unstructured.Unstructured
	for _, p := range protections {
		cm := configMap(t, ns, p.name, "{a: '1'}")
		cm.SetLabels(ownerLabels)
		apply(t, m, ApplyOptions{}, cm)
		edit(t, cm, "ops", func(u *unstructured.Unstructured) {
			if p.label {
				labels := u.GetLabels()
				labels[p.key] = p.value
				u.SetLabels(labels)
			} else {
				u.SetAnnotations(map[string]string{p.key: p.value})
			}
		})
		refs = append(refs, inventory.RefOf(cm))
		protected = append(protected, cm)
	}
	free := configMap(t, ns, "free", "{a: '1'}")
	free.SetLabels(ownerLabels)
	apply(t, m, ApplyOptions{}, free)
	refs = append(refs, inventory.RefOf(free))

	cs, err := m.Delete(t.Context(), refs, DeleteOptions{OwnerLabels: ownerLabels})
	if err != nil {
		t.Fatal(err)
	}
	if got := lines(cs); len(got) != 1 || got[0] != "ConfigMap/"+ns+"/free deleted" {
		t.Errorf("changes = %q, want only the unprotected ConfigMap deleted", got)
	}
	for _, cm := range protected {
		if got := live(t, cm); got == nil || got.GetDeletionTimestamp() != nil {
			t.Errorf("%s was deleted", cm.GetName())
		}
	}
}

// ssa: Ignore set on the object in the cluster only, as a label or an
// annotation, keeps Delete from deleting it.
func TestDeleteSkipsObjectsIgnoredInCluster(t *testing.T) {
	deleteProtected(t, []protection{
		{"ignore-annotation", SSAAnnotation, "Ignore", false},
		{"ignore-label", SSAAnnotation, "ignore", true},
	})
}

// ssa: Ignore set on the object in the cluster only keeps Apply from
// touching it: the hand edit stays and the object is reported skipped,
// also when Git sets the ssa annotation to another value.
func TestApplySkipsObjectsIgnoredInCluster(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	m := newManager()
	for _, tt := range []struct {
		name     string
		inGit    string
		asLabel  bool
		editedBy string
	}{
		{name: "annotation", editedBy: "ops"},
		{name: "label", asLabel: true, editedBy: "kubectl-edit"},
		{name: "git-says-merge", inGit: "Merge", editedBy: "ops"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cm := configMap(t, ns, tt.name, "{a: '1'}")
			if tt.inGit != "" {
				cm.SetAnnotations(map[string]string{SSAAnnotation: tt.inGit})
			}
			apply(t, m, ApplyOptions{}, cm)
			edit(t, cm, tt.editedBy, func(u *unstructured.Unstructured) {
				if tt.asLabel {
					u.SetLabels(map[string]string{SSAAnnotation: "Ignore"})
				} else {
					u.SetAnnotations(map[string]string{SSAAnnotation: "Ignore"})
				}
				_ = unstructured.SetNestedField(u.Object, "by-hand", "data", "a")
			})
			before := live(t, cm).GetResourceVersion()

			cs := apply(t, m, ApplyOptions{}, cm)
			if got := lines(cs); len(got) != 1 || got[0] != "ConfigMap/"+ns+"/"+tt.name+" skipped" {
				t.Errorf("changes = %q, want the object skipped", got)
			}
			if after := live(t, cm); after.GetResourceVersion() != before || data(t, cm)["a"] != "by-hand" {
				t.Errorf("the ignored object was written: data %v", data(t, cm))
			}
		})
	}
}
