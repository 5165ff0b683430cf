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
