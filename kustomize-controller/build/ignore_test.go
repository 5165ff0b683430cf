package build_test

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/kustomize-controller/build"
)

func drop(t *testing.T, o *unstructured.Unstructured, rule kustomizev1.IgnoreRule) {
	t.Helper()
	d, err := build.NewIgnore([]kustomizev1.IgnoreRule{rule})
	if err != nil {
		t.Fatal(err)
	}
	if dropped := d.Drop([]*unstructured.Unstructured{o}); len(dropped) > 1 {
		t.Fatalf("Drop reports %d objects, given one", len(dropped))
	}
}

func TestIgnoreDrop(t *testing.T) {
	deploy := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {tier: front}
  annotations: {"example.com/owner": "team-a"}
spec:
  replicas: 3
  template:
    spec:
      containers:
      - {name: app, image: app:1}
      - {name: sidecar, image: proxy:1}
`
	tests := []struct {
		name   string
		rule   kustomizev1.IgnoreRule
		absent [][]string // fields that must be gone
		kept   [][]string // fields that must stay
	}{
		{"every object", kustomizev1.IgnoreRule{Paths: []string{"/spec/replicas"}},
			[][]string{{"spec", "replicas"}}, [][]string{{"spec", "template"}}},
		{"list element field", kustomizev1.IgnoreRule{Paths: []string{"/spec/template/spec/containers/1/image"}},
			nil, [][]string{{"spec", "replicas"}}},
		{"escaped token", kustomizev1.IgnoreRule{Paths: []string{"/metadata/annotations/example.com~1owner"}},
			[][]string{{"metadata", "annotations", "example.com/owner"}}, [][]string{{"metadata", "labels"}}},
		{"missing path is skipped", kustomizev1.IgnoreRule{Paths: []string{"/spec/nothing/here", "/spec/template/spec/containers/9"}},
			nil, [][]string{{"spec", "replicas"}, {"spec", "template"}}},
		{"target by kind and name pattern", kustomizev1.IgnoreRule{Paths: []string{"/spec/replicas"},
			Target: &kustomizev1.Selector{Kind: "Deployment", Name: "w.b"}}, [][]string{{"spec", "replicas"}}, nil},
		{"target by label", kustomizev1.IgnoreRule{Paths: []string{"/spec/replicas"},
			Target: &kustomizev1.Selector{LabelSelector: "tier=front"}}, [][]string{{"spec", "replicas"}}, nil},
		{"target by annotation", kustomizev1.IgnoreRule{Paths: []string{"/spec/replicas"},
			Target: &kustomizev1.Selector{AnnotationSelector: "example.com/owner=team-a"}}, [][]string{{"spec", "replicas"}}, nil},
		{"other kind untouched", kustomizev1.IgnoreRule{Paths: []string{"/spec/replicas"},
			Target: &kustomizev1.Selector{Kind: "StatefulSet"}}, nil, [][]string{{"spec", "replicas"}}},
		{"other name untouched", kustomizev1.IgnoreRule{Paths: []string{"/spec/replicas"},
			Target: &kustomizev1.Selector{Name: "we"}}, nil, [][]string{{"spec", "replicas"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := object(t, deploy)
			drop(t, o, tt.rule)
			for _, p := range tt.absent {
				if _, found, _ := unstructured.NestedFieldNoCopy(o.Object, p...); found {
					t.Errorf("%v still set", p)
				}
			}
			for _, p := range tt.kept {
				if _, found, _ := unstructured.NestedFieldNoCopy(o.Object, p...); !found {
					t.Errorf("%v removed", p)
				}
			}
		})
	}

	o := object(t, deploy)
	rule := kustomizev1.IgnoreRule{Paths: []string{"/spec/template/spec/containers/1/image"}}
	drop(t, o, rule)
	containers, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
	if len(containers) != 2 || containers[0].(map[string]any)["image"] != "app:1" || containers[1].(map[string]any)["image"] != nil {
		t.Errorf("containers = %v, want the sidecar's image alone removed", containers)
	}
}

func TestNewIgnoreRefusesBadRules(t *testing.T) {
	for name, rule := range map[string]kustomizev1.IgnoreRule{
		"path without slash": {Paths: []string{"spec/replicas"}},
		"bad label selector": {Paths: []string{"/spec"}, Target: &kustomizev1.Selector{LabelSelector: "a in (b"}},
		"bad name pattern":   {Paths: []string{"/spec"}, Target: &kustomizev1.Selector{Name: "(["}},
	} {
		_, err := build.NewIgnore([]kustomizev1.IgnoreRule{rule})
		if err == nil || !strings.Contains(err.Error(), "spec.ignore[0]") {
			t.Errorf("%s: error = %v, want one naming spec.ignore[0]", name, err)
		}
	}
}

// Only the field goes: a map left empty, or empty already in Git, stays, as
// it may mean something (an emptyDir volume, a select-all selector).
func TestIgnoreKeepsEmptyMaps(t *testing.T) {
	o := object(t, `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  volumes:
  - name: cache
    emptyDir: {}
  - name: tmp
    emptyDir: {sizeLimit: 1Gi}
`)
	drop(t, o, kustomizev1.IgnoreRule{Paths: []string{
		"/spec/volumes/0/emptyDir/sizeLimit", "/spec/volumes/1/emptyDir/sizeLimit"}})
	volumes, _, _ := unstructured.NestedSlice(o.Object, "spec", "volumes")
	for i, v := range volumes {
		if dir, ok := v.(map[string]any)["emptyDir"].(map[string]any); !ok || len(dir) != 0 {
			t.Errorf("volume %d: emptyDir = %v, want an empty map", i, v.(map[string]any)["emptyDir"])
		}
	}
}
