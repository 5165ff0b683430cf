package build_test

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tidegitops/tide/kustomize-controller/build"
)

// FuzzSubstitute puts arbitrary text in a ConfigMap value and a label, and
// checks that Substitute never panics and, when it succeeds, leaves no
// '${' behind. The check applies when the input has no '$${' escape and
// every '$' starts a '${': otherwise a literal '$' next to a substituted
// '{' could spell '${' without any reference being left over.
func FuzzSubstitute(f *testing.F) {
	for _, seed := range []string{
		"${A}",
		"x-${A:=d}-${B:-e}",
		"${NOPE:=${A}}",
		"$${A}",
		"${1A}",
		"${A",
		"${}",
		"${A/b/c}",
		"${A:=}}}",
		"$$$${A}$",
		"a: ${A}",
		"line\n${A}\n  ${B}",
		"\"${A}'",
		"${EMPTY:-${EMPTY:=${B}}}",
	} {
		f.Add(seed)
	}
	vars := map[string]string{"A": "v", "B": "3", "EMPTY": ""}
	f.Fuzz(func(t *testing.T, s string) {
		in := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1",
			"kind":       "ConfigMap",
			"metadata": map[string]any{
				"name":        "cm",
				"annotations": map[string]any{"note": s},
			},
			"data": map[string]any{"value": s, "other": "${A}"},
		}}
		out, err := build.Substitute([]*unstructured.Unstructured{in}, vars)
		if err != nil {
			return
		}
		if len(out) != 1 {
			t.Fatalf("got %d objects", len(out))
		}
		if strings.Contains(s, "$${") || strings.Count(s, "$") != strings.Count(s, "${") {
			return
		}
		walkStrings(out[0].Object, func(v string) {
			if strings.Contains(v, "${") {
				t.Fatalf("'${' left in %q (input %q)", v, s)
			}
		})
	})
}

// walkStrings calls fn on every string and map key of v.
func walkStrings(v any, fn func(string)) {
	switch v := v.(type) {
	case string:
		fn(v)
	case map[string]any:
		for k, e := range v {
			fn(k)
			walkStrings(e, fn)
		}
	case []any:
		for _, e := range v {
			walkStrings(e, fn)
		}
	}
}
