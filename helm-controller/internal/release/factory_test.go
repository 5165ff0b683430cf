package release

import (
	"testing"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/kubectl/pkg/validation"
)

// Helm asks for a validator on every Build; the releases of one Getter get
// the same strict validator (whose OpenAPI lookups are kept), and an
// Unshared Getter (persistentClient: false) one of its own.
func TestReleasesOfAGetterShareOneValidator(t *testing.T) {
	getter := NewGetter(&rest.Config{Host: "https://127.0.0.1:6443", BearerToken: "controller"})
	strictOf := func(g *Getter) validation.Schema {
		t.Helper()
		cfg, err := NewConfig(g, "apps", "apps", logr.Discard())
		if err != nil {
			t.Fatal(err)
		}
		schema, err := cfg.KubeClient.(*kubeClient).Factory.Validator(metav1.FieldValidationStrict)
		if err != nil {
			t.Fatal(err)
		}
		return schema
	}
	first := strictOf(getter)
	if strictOf(getter) != first {
		t.Error("a second release of the same Getter builds a new validator")
	}
	if strictOf(getter.Unshared()) == first {
		t.Error("an Unshared Getter shares the validator")
	}
	cfg, _ := NewConfig(getter, "apps", "apps", logr.Discard())
	if ignore, _ := cfg.KubeClient.(*kubeClient).Factory.Validator(metav1.FieldValidationIgnore); ignore != (validation.NullSchema{}) {
		t.Errorf("disableOpenAPIValidation validates with %T", ignore)
	}
}
