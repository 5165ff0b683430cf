package ssa

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
	"github.com/tidegitops/tide/testkit"
)

var ownerLabels = map[string]string{
	"kustomize.toolkit.fluxcd.io/name":      "apps",
	"kustomize.toolkit.fluxcd.io/namespace": "flux-system",
}

// Delete prunes only objects that are still ours: the owner labels are on
// them and pruning is not disabled. Missing objects are no error.
func TestDeletePrunesOnlyOwnedObjects(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	owned := configMap(t, ns, "owned", "{a: '1'}")
	owned.SetLabels(ownerLabels)
	adopted := configMap(t, ns, "adopted-elsewhere", "{a: '1'}")
	adopted.SetLabels(map[string]string{"kustomize.toolkit.fluxcd.io/name": "other",
		"kustomize.toolkit.fluxcd.io/namespace": "flux-system"})
	protected := configMap(t, ns, "protected", "{a: '1'}")
	protected.SetLabels(ownerLabels)
	protected.SetAnnotations(map[string]string{PruneAnnotation: "disabled"})
	unlabelled := configMap(t, ns, "unlabelled", "{a: '1'}")
	m := newManager()
	apply(t, m, ApplyOptions{}, owned, adopted, protected, unlabelled)

	refs := []inventory.ObjectRef{
		inventory.RefOf(unlabelled), inventory.RefOf(owned), inventory.RefOf(protected),
		inventory.RefOf(adopted), {Version: "v1", Kind: "ConfigMap", Namespace: ns, Name: "missing"},
		{Group: "gone.example.com", Version: "v1", Kind: "Widget", Namespace: ns, Name: "w"},
	}
	cs, err := m.Delete(t.Context(), refs, DeleteOptions{OwnerLabels: ownerLabels})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := lines(cs), []string{"ConfigMap/" + ns + "/owned deleted"}; !reflect.DeepEqual(got, want) {
		t.Errorf("changes = %q, want %q", got, want)
	}
	if err := m.WaitForTermination(t.Context(), []inventory.ObjectRef{inventory.RefOf(owned)}, testkit.Timeout); err != nil {
		t.Error(err)
	}
	for _, kept := range []*unstructured.Unstructured{adopted, protected, unlabelled} {
		if live(t, kept) == nil {
			t.Errorf("%s was deleted", kept.GetName())
		}
	}
}

// WaitForTermination names the objects that are still there when it gives
// up, and returns once they are gone.
func TestWaitForTermination(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	held := configMap(t, ns, "held", "{a: '1'}")
	held.SetFinalizers([]string{"test.tide.dev/hold"})
	free := configMap(t, ns, "free", "{a: '1'}")
	m := newManager()
	apply(t, m, ApplyOptions{}, held, free)
	refs := []inventory.ObjectRef{inventory.RefOf(held), inventory.RefOf(free)}
	if _, err := m.Delete(t.Context(), refs, DeleteOptions{}); err != nil {
		t.Fatal(err)
	}

	err := m.WaitForTermination(t.Context(), refs, 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "ConfigMap/"+ns+"/held") || strings.Contains(err.Error(), "/free") {
		t.Fatalf("err = %v, want it to name only the held ConfigMap", err)
	}

	edit(t, held, "test", func(u *unstructured.Unstructured) { u.SetFinalizers(nil) })
	if err := m.WaitForTermination(t.Context(), refs, testkit.Timeout); err != nil {
		t.Error(err)
	}
}
