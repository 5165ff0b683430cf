package policy_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tidegitops/tide/kustomize-controller/policy"
)

func object(annotations, labels map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAnnotations(annotations)
	u.SetLabels(labels)
	return u
}

// Each setting is read from a label as from an annotation, without regard
// to case, and applying is skipped by the object in Git or in the cluster.
func TestSettingsFromAnnotationsAndLabels(t *testing.T) {
	none := object(nil, nil)
	ignoredByLabel := object(nil, map[string]string{policy.SSAAnnotation: "ignore"})
	ifNotPresent := object(map[string]string{policy.SSAAnnotation: "IfNotPresent"}, nil)
	pruneOff := object(nil, map[string]string{policy.PruneAnnotation: "disabled"})
	reconcileOff := object(map[string]string{policy.ReconcileAnnotation: "Disabled"}, nil)

	checks := []struct {
		name      string
		got, want bool
	}{
		{"label Ignore is Ignore", policy.SSAOf(ignoredByLabel) == policy.Ignore, true},
		{"label Ignore is left alone", policy.LeftAlone(ignoredByLabel), true},
		{"reconcile disabled is left alone", policy.LeftAlone(reconcileOff), true},
		{"plain object is prunable", policy.Prunable(none), true},
		{"prune-disabled label is not prunable", policy.Prunable(pruneOff), false},
		{"label Ignore is not prunable", policy.Prunable(ignoredByLabel), false},
		{"plain object is applied", policy.SkipsApply(none, none), false},
		{"new IfNotPresent object is applied", policy.SkipsApply(ifNotPresent, nil), false},
		{"existing IfNotPresent object is skipped", policy.SkipsApply(ifNotPresent, none), true},
		{"Ignore in the cluster is skipped", policy.SkipsApply(none, ignoredByLabel), true},
		{"Ignore in Git is skipped", policy.SkipsApply(ignoredByLabel, nil), true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}
