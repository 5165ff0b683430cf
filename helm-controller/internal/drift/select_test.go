package drift

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

// A JSON pointer names a field with '/' and '~' escaped (~1, ~0); an
// array element is blanked, not removed, so that the other elements keep
// their indexes in a correcting patch; a pointer to nothing changes
// nothing.
func TestRemovePointer(t *testing.T) {
	doc := func() map[string]any {
		return map[string]any{"metadata": map[string]any{"annotations": map[string]any{"a/b": "x", "c~d": "y"}},
			"spec": map[string]any{"ports": []any{map[string]any{"port": 80.0}, map[string]any{"port": 81.0}}}}
	}
	tests := []struct {
		pointer string
		check   func(map[string]any) any
		want    any
	}{
		{"/metadata/annotations/a~1b", func(d map[string]any) any { return len(d["metadata"].(map[string]any)["annotations"].(map[string]any)) }, 1},
		{"/metadata/annotations/c~0d", func(d map[string]any) any {
			return d["metadata"].(map[string]any)["annotations"].(map[string]any)["a/b"]
		}, "x"},
		{"/spec/ports/0", func(d map[string]any) any { return d["spec"].(map[string]any)["ports"] }, []any{nil, map[string]any{"port": 81.0}}},
		{"/spec/ports/1/port", func(d map[string]any) any { return d["spec"].(map[string]any)["ports"].([]any)[1] }, map[string]any{}},
		{"/spec/nothing/here", func(d map[string]any) any { return len(d["spec"].(map[string]any)) }, 1},
		{"/spec/ports/7", func(d map[string]any) any { return len(d["spec"].(map[string]any)["ports"].([]any)) }, 2},
	}
	for _, tt := range tests {
		d := doc()
		removePointer(d, tt.pointer)
		if got := tt.check(d); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("remove %s: got %v, want %v", tt.pointer, got, tt.want)
		}
	}
}

// An ignore rule's target matches kind, name (a regular expression, in
// full) and labels; a rule without a target matches every object.
func TestIgnoreRuleTargets(t *testing.T) {
	obj := &unstructured.Unstructured{}
	obj.SetAPIVersion("apps/v1")
	obj.SetKind("Deployment")
	obj.SetNamespace("apps")
	obj.SetName("web-frontend")
	obj.SetLabels(map[string]string{"tier": "web"})
	rules, err := compile([]helmv2.IgnoreRule{
		{Paths: []string{"/all"}},
		{Paths: []string{"/kind"}, Target: &kustomizev1.Selector{Group: "apps", Kind: "Deployment"}},
		{Paths: []string{"/name"}, Target: &kustomizev1.Selector{Name: "web-.*"}},
		{Paths: []string{"/partial"}, Target: &kustomizev1.Selector{Name: "web"}},
		{Paths: []string{"/labels"}, Target: &kustomizev1.Selector{LabelSelector: "tier in (web,api)"}},
		{Paths: []string{"/other"}, Target: &kustomizev1.Selector{Kind: "ConfigMap"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := ignoredPaths(rules, obj)
	want := []string{"/all", "/kind", "/name", "/labels"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ignored paths %v, want %v", got, want)
	}
	if _, err := compile([]helmv2.IgnoreRule{{Paths: []string{"/x"}, Target: &kustomizev1.Selector{Name: "("}}}); err == nil {
		t.Error("a name that is not a regular expression compiles")
	}
}
