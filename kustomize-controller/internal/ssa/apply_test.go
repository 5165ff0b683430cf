package ssa

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tidegitops/tide/testkit"
)

// A ConfigMap listed before its Namespace is still applied after it, and
// the ChangeSet keeps the input order.
func TestApplyCreatesNamespaceFirst(t *testing.T) {
	ns := newNamespaceObject(t)
	cm := configMap(t, ns.GetName(), "app", "{a: '1'}")
	cs := apply(t, newManager(), ApplyOptions{}, cm, ns)

	want := []string{"ConfigMap/" + ns.GetName() + "/app created", "Namespace/" + ns.GetName() + " created"}
	if got := lines(cs); !reflect.DeepEqual(got, want) {
		t.Errorf("changes = %q, want %q", got, want)
	}
	if cs.String() != strings.Join(want, "\n") {
		t.Errorf("String() = %q", cs.String())
	}
	if got := data(t, cm)["a"]; got != "1" {
		t.Errorf("data.a = %q, want 1", got)
	}
}

// Applying what the cluster already has writes nothing.
func TestApplyUnchangedWritesNothing(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	cm := configMap(t, ns, "app", "{a: '1'}")
	m := newManager()
	apply(t, m, ApplyOptions{}, cm)
	before := live(t, cm).GetResourceVersion()

	cs := apply(t, m, ApplyOptions{}, cm)
	if got := lines(cs); !reflect.DeepEqual(got, []string{"ConfigMap/" + ns + "/app unchanged"}) {
		t.Errorf("changes = %q, want unchanged", got)
	}
	if cs.Changed() {
		t.Error("Changed() = true for an unchanged object")
	}
	if after := live(t, cm).GetResourceVersion(); after != before {
		t.Errorf("resourceVersion %s -> %s: the unchanged object was written", before, after)
	}
}

// A hand edit of a field Git sets (kubectl edit: a plain update) is drift:
// the next Apply reports the object configured and restores Git's value.
func TestApplyCorrectsDrift(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	cm := configMap(t, ns, "app", "{a: '1', b: '2'}")
	m := newManager()
	apply(t, m, ApplyOptions{}, cm)
	edit(t, cm, "kubectl-edit", func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedField(u.Object, "changed", "data", "a")
	})

	cs := apply(t, m, ApplyOptions{}, cm)
	if got := lines(cs); !reflect.DeepEqual(got, []string{"ConfigMap/" + ns + "/app configured"}) {
		t.Errorf("changes = %q, want configured", got)
	}
	if got := data(t, cm); !reflect.DeepEqual(got, map[string]string{"a": "1", "b": "2"}) {
		t.Errorf("data after apply = %v, want Git's", got)
	}
	if cs := apply(t, m, ApplyOptions{}, cm); cs.Changed() {
		t.Errorf("apply after the correction: %q, want unchanged", lines(cs))
	}
}

// One invalid object: the error names it with the apiserver's reason, and
// no object of the set is applied, not even the first stage.
func TestApplyInvalidAppliesNothing(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	other := newNamespaceObject(t)
	good := configMap(t, ns, "good", "{a: '1'}")
	bad := object(t, `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: %s}
spec:
  ports: [{port: 70000}]
`, ns)
	alsoGood := configMap(t, ns, "also-good", "{a: '1'}")

	cs, err := newManager().Apply(t.Context(), []*unstructured.Unstructured{good, other, bad, alsoGood}, ApplyOptions{})
	var invalid *InvalidError
	if !errors.As(err, &invalid) {
		t.Fatalf("err = %v, want an *InvalidError", err)
	}
	if len(invalid.Objects) != 1 || invalid.Objects[0].Ref.String() != "Service/"+ns+"/web" {
		t.Fatalf("rejected objects = %+v, want only Service/%s/web", invalid.Objects, ns)
	}
	for _, want := range []string{"Service/" + ns + "/web", "70000", "nothing was applied"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if len(cs) != 0 {
		t.Errorf("changes = %q, want none", lines(cs))
	}
	for _, obj := range []*unstructured.Unstructured{good, other, bad, alsoGood} {
		if live(t, obj) != nil {
			t.Errorf("%s/%s exists after a rejected apply", obj.GetKind(), obj.GetName())
		}
	}
}

// An object whose namespace is created by the same set can only be
// validated once the Namespace is applied: when it is rejected then, only
// the first stage has been applied, and the error says so.
func TestApplyInvalidInNewNamespace(t *testing.T) {
	ns := newNamespaceObject(t)
	bad := configMap(t, ns.GetName(), "Not_A_Name", "{a: '1'}")

	cs, err := newManager().Apply(t.Context(), []*unstructured.Unstructured{ns, bad}, ApplyOptions{})
	var invalid *InvalidError
	if !errors.As(err, &invalid) || len(invalid.Objects) != 1 || invalid.Objects[0].Ref.Name != "Not_A_Name" {
		t.Fatalf("err = %v, want an *InvalidError naming the ConfigMap", err)
	}
	if !strings.Contains(err.Error(), "only the cluster-wide definitions") {
		t.Errorf("error %q does not say what was applied", err)
	}
	if got := lines(cs); !reflect.DeepEqual(got, []string{"Namespace/" + ns.GetName() + " created"}) {
		t.Errorf("changes = %q, want the Namespace created", got)
	}
}

// A kind the apiserver does not serve, with no CRD in the set, is rejected
// like an invalid object.
func TestApplyUnknownKind(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	cm := configMap(t, ns, "app", "{a: '1'}")
	widget := object(t, "{apiVersion: nowhere.example.com/v1, kind: Widget, metadata: {name: w, namespace: %s}}", ns)

	_, err := newManager().Apply(t.Context(), []*unstructured.Unstructured{cm, widget}, ApplyOptions{})
	var invalid *InvalidError
	if !errors.As(err, &invalid) || len(invalid.Objects) != 1 || invalid.Objects[0].Ref.Kind != "Widget" {
		t.Fatalf("err = %v, want an *InvalidError naming the Widget", err)
	}
	if !strings.Contains(err.Error(), "CustomResourceDefinition") {
		t.Errorf("error %q does not hint at the missing CRD", err)
	}
	if live(t, cm) != nil {
		t.Error("the ConfigMap was applied although the set was rejected")
	}
}

// A CRD and a custom resource of it in one set: the CRD is applied and
// established first, then the resource is validated and applied.
func TestApplyStagesCRDAndCustomResource(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	group := uniqueName("g") + ".example.com"
	crd := object(t, `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.%[1]s}
spec:
  group: %[1]s
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, maximum: 10}
`, group)
	t.Cleanup(func() { _ = cp.Client.Delete(t.Context(), crd.DeepCopy()) })
	widget := object(t, "{apiVersion: %s/v1, kind: Widget, metadata: {name: w, namespace: %s}, spec: {size: 3}}", group, ns)
	m := newManager()

	cs := apply(t, m, ApplyOptions{}, widget, crd)
	want := []string{"Widget/" + ns + "/w created", "CustomResourceDefinition/widgets." + group + " created"}
	if got := lines(cs); !reflect.DeepEqual(got, want) {
		t.Errorf("changes = %q, want %q", got, want)
	}
	if size, _, _ := unstructured.NestedInt64(live(t, widget).Object, "spec", "size"); size != 3 {
		t.Errorf("spec.size = %d, want 3", size)
	}
	if cs := apply(t, m, ApplyOptions{}, widget, crd); cs.Changed() {
		t.Errorf("second apply: %q, want all unchanged", lines(cs))
	}

	// A resource the (existing) CRD's schema rejects is found before anything is written.
	_ = unstructured.SetNestedField(widget.Object, int64(11), "spec", "size")
	_, err := m.Apply(t.Context(), []*unstructured.Unstructured{crd, widget}, ApplyOptions{})
	var invalid *InvalidError
	if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "nothing was applied") {
		t.Errorf("err = %v, want an *InvalidError before anything was applied", err)
	}
}
