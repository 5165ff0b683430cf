package readyexpr

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func configMap(name string, data map[string]string) *corev1.ConfigMap {
	cm := &corev1.ConfigMap{Data: data}
	cm.Name = name
	return cm
}

func TestReady(t *testing.T) {
	dep := configMap("infra", map[string]string{"ready": "yes"})
	self := configMap("apps", nil)
	for _, tc := range []struct {
		source string
		want   bool
	}{
		{"dep.data.ready == 'yes' && self.metadata.name == 'apps'", true},
		{"dep.metadata.name == 'other'", false},
	} {
		e, err := Compile(tc.source)
		if err != nil {
			t.Fatalf("%s: %v", tc.source, err)
		}
		got, err := e.Ready(dep, self)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %v, %v; want %v", tc.source, got, err, tc.want)
		}
	}
}

func TestCompileRefusesMistakes(t *testing.T) {
	for source, want := range map[string]string{
		"dep.metadata.name ==":   "invalid readyExpr",
		"'not a bool'":           "not a bool",
		"undeclared.status == 1": "invalid readyExpr",
	} {
		if _, err := Compile(source); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error with %q", source, err, want)
		}
	}
}

// A dynamic expression passes Compile but must still give a bool.
func TestReadyRefusesNonBool(t *testing.T) {
	e, err := Compile("dep.data.ready")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Ready(configMap("infra", map[string]string{"ready": "yes"}), configMap("apps", nil)); err == nil ||
		!strings.Contains(err.Error(), "not a bool") {
		t.Errorf("got %v, want a 'not a bool' error", err)
	}
}

func TestReadyMissingFieldSuggestsGuard(t *testing.T) {
	e, err := Compile("dep.status.phase == 'Ready'")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Ready(configMap("infra", nil), configMap("apps", nil)); err == nil || !strings.Contains(err.Error(), "has()") {
		t.Errorf("got %v, want an error suggesting a guard", err)
	}
}

// An expression that would take long is stopped by the cost limit.
func TestReadyCostLimit(t *testing.T) {
	e, err := Compile("[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, " +
		"[1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(f, [1,2,3,4,5,6,7,8,9,10].all(g, a+b+c+d+f+g > 0))))))")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Ready(configMap("infra", nil), configMap("apps", nil)); err == nil || !strings.Contains(err.Error(), "cost") {
		t.Errorf("got %v, want the cost limit to stop it", err)
	}
}
