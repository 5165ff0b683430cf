package ssa

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
)

// The tests of this file need no cluster.

func TestChangeSet(t *testing.T) {
	cm := inventory.ObjectRef{Version: "v1", Kind: "ConfigMap", Namespace: "apps", Name: "web"}
	ns := inventory.ObjectRef{Version: "v1", Kind: "Namespace", Name: "apps"}
	tests := []struct {
		name        string
		cs          ChangeSet
		wantString  string
		wantChanged bool
	}{
		{name: "empty", cs: nil, wantString: "", wantChanged: false},
		{name: "quiet", cs: ChangeSet{{cm, Unchanged}, {ns, Skipped}},
			wantString: "ConfigMap/apps/web unchanged\nNamespace/apps skipped", wantChanged: false},
		{name: "configured", cs: ChangeSet{{ns, Unchanged}, {cm, Configured}},
			wantString: "Namespace/apps unchanged\nConfigMap/apps/web configured", wantChanged: true},
		{name: "deleted", cs: ChangeSet{{cm, Deleted}}, wantString: "ConfigMap/apps/web deleted", wantChanged: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cs.String(); got != tt.wantString {
				t.Errorf("String() = %q, want %q", got, tt.wantString)
			}
			if got := tt.cs.Changed(); got != tt.wantChanged {
				t.Errorf("Changed() = %v, want %v", got, tt.wantChanged)
			}
		})
	}
}

func TestPolicyOf(t *testing.T) {
	tests := map[string]policy{"": override, "Override": override, "merge": merge, "IfNotPresent": ifNotPresent,
		"ignore": ignore, "nonsense": override}
	for value, want := range tests {
		obj := &unstructured.Unstructured{}
		if value != "" {
			obj.SetAnnotations(map[string]string{SSAAnnotation: value})
		}
		if got := policyOf(obj); got != want {
			t.Errorf("policyOf(%q) = %v, want %v", value, got, want)
		}
	}
}

func TestSameObjectIgnoresServerFields(t *testing.T) {
	live := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "a", "resourceVersion": "1", "uid": "u", "generation": int64(1),
			"managedFields": []any{map[string]any{"manager": "x"}}},
		"data":   map[string]any{"k": "v"},
		"status": map[string]any{"observed": int64(1)},
	}}
	dry := live.DeepCopy()
	unstructured.SetNestedField(dry.Object, "2", "metadata", "resourceVersion")
	unstructured.SetNestedField(dry.Object, int64(2), "metadata", "generation")
	unstructured.SetNestedSlice(dry.Object, nil, "metadata", "managedFields")
	unstructured.SetNestedField(dry.Object, int64(2), "status", "observed")
	if !sameObject(dry, live, false) {
		t.Error("objects differing in server fields and status compare different")
	}
	if sameObject(dry, live, true) {
		t.Error("status ignored although the desired object sets it")
	}
	unstructured.SetNestedField(dry.Object, "w", "data", "k")
	if sameObject(dry, live, false) {
		t.Error("objects differing in data compare equal")
	}
	if _, ok := live.Object["metadata"].(map[string]any)["uid"]; !ok {
		t.Error("sameObject changed its arguments")
	}
}

func TestErrorKinds(t *testing.T) {
	gk := schema.GroupKind{Kind: "ConfigMap"}
	immutable := apierrors.NewInvalid(gk, "a", field.ErrorList{field.Forbidden(field.NewPath("data"), "field is immutable when `immutable` is set")})
	invalid := apierrors.NewInvalid(gk, "a", field.ErrorList{field.Invalid(field.NewPath("metadata", "name"), "A", "bad")})
	nsMissing := apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, "apps")
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, "s", errors.New("no RBAC"))
	tests := []struct {
		name                    string
		err                     error
		wantRejected, wantFixed bool
	}{
		{"immutable", immutable, true, true},
		{"invalid", invalid, true, false},
		{"namespace missing", nsMissing, true, false},
		{"object missing", apierrors.NewNotFound(schema.GroupResource{Resource: "configmaps"}, "a"), false, false},
		{"forbidden", forbidden, false, false},
	}
	for _, tt := range tests {
		if got := isRejection(tt.err); got != tt.wantRejected {
			t.Errorf("%s: isRejection = %v", tt.name, got)
		}
		if got := isImmutable(tt.err); got != tt.wantFixed {
			t.Errorf("%s: isImmutable = %v", tt.name, got)
		}
	}
}

// The take-over patch merges kubectl's field sets into the controller's apply
// entry, keeps other managers and removes the last-applied annotation.
func TestTakeoverPatch(t *testing.T) {
	fields := func(s string) *metav1.FieldsV1 { return &metav1.FieldsV1{Raw: []byte(s)} }
	live := &unstructured.Unstructured{}
	live.SetAPIVersion("v1")
	live.SetResourceVersion("42")
	live.SetAnnotations(map[string]string{lastAppliedAnnotation: "{}"})
	live.SetManagedFields([]metav1.ManagedFieldsEntry{
		{Manager: owner, Operation: metav1.ManagedFieldsOperationApply, APIVersion: "v1", FieldsType: "FieldsV1",
			FieldsV1: fields(`{"f:data":{"f:a":{}}}`)},
		{Manager: "kubectl-edit", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1", FieldsType: "FieldsV1",
			FieldsV1: fields(`{"f:data":{"f:b":{}},"f:metadata":{"f:labels":{"f:x":{}}}}`)},
		{Manager: "kubectl-client-side-apply", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1",
			FieldsType: "FieldsV1", FieldsV1: fields(`{"f:data":{"f:c":{}}}`)},
		{Manager: "autoscaler", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1", FieldsType: "FieldsV1",
			FieldsV1: fields(`{"f:data":{"f:d":{}}}`)},
	})
	desired := &unstructured.Unstructured{}
	desired.SetAPIVersion("v1")
	if !needsTakeover(desired, live, owner, nil) {
		t.Fatal("needsTakeover = false with kubectl managers present")
	}

	raw, err := takeoverPatch(desired, live, owner, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ops []struct {
		Op    string
		Path  string
		Value json.RawMessage
	}
	if err := json.Unmarshal(raw, &ops); err != nil {
		t.Fatal(err)
	}
	if len(ops) != 3 || ops[0].Op != "test" || string(ops[0].Value) != `"42"` ||
		ops[2].Op != "remove" || ops[2].Path != "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration" {
		t.Fatalf("patch = %s", raw)
	}
	var entries []metav1.ManagedFieldsEntry
	if err := json.Unmarshal(ops[1].Value, &entries); err != nil {
		t.Fatal(err)
	}
	var managers []string
	for _, e := range entries {
		managers = append(managers, e.Manager)
	}
	if !reflect.DeepEqual(managers, []string{owner, "autoscaler"}) {
		t.Errorf("managers after take-over = %v", managers)
	}
	var got, want map[string]any
	_ = json.Unmarshal(entries[0].FieldsV1.Raw, &got)
	_ = json.Unmarshal([]byte(`{"f:data":{"f:a":{},"f:b":{},"f:c":{}},"f:metadata":{"f:labels":{"f:x":{}}}}`), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("owner's fields = %s", entries[0].FieldsV1.Raw)
	}

	// Nothing of kubectl left: nothing to take over.
	live.SetManagedFields(entries)
	live.SetAnnotations(nil)
	if needsTakeover(desired, live, owner, nil) {
		t.Error("needsTakeover = true after the take-over")
	}
}

// Fields left to others by ignore rules (spec.ignore) are released from a
// field set: list elements are found by their key through the live object, and
// nodes left empty go too (an empty node would claim its whole field).
func TestReleaseIgnoredFields(t *testing.T) {
	var set map[string]any
	_ = json.Unmarshal([]byte(`{"f:data":{"f:a":{}},"f:metadata":{"f:labels":{"f:x":{},"f:y":{}}},`+
		`"f:spec":{"f:replicas":{},"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:name":{},"f:image":{}}}}}`), &set)
	live := &unstructured.Unstructured{Object: map[string]any{
		"data":     map[string]any{"a": "1"},
		"metadata": map[string]any{"labels": map[string]any{"x": "1", "y": "2"}},
		"spec": map[string]any{"replicas": int64(3), "containers": []any{
			map[string]any{"name": "app", "image": "app:1"}}},
	}}
	ignored := [][]string{{"data", "a"}, {"metadata", "labels", "x"}, {"spec", "containers", "0", "image"}, {"status", "missing"}}
	if !ownsAny(set, live, ignored) {
		t.Fatal("ownsAny = false, want true before the release")
	}
	for _, p := range ignored {
		release(set, live, p)
	}
	var want map[string]any
	_ = json.Unmarshal([]byte(`{"f:metadata":{"f:labels":{"f:y":{}}},`+
		`"f:spec":{"f:replicas":{},"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:name":{}}}}}`), &want)
	if !reflect.DeepEqual(set, want) {
		t.Errorf("fields = %v, want %v", set, want)
	}
	if ownsAny(set, live, ignored) {
		t.Error("ownsAny = true after the release: the next reconciliation would release again")
	}
}
