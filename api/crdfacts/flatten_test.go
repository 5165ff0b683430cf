package crdfacts_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// crdFacts reads a generated CRD and flattens it into facts: one entry per
// field path of the served version's schema ("spec.ignore[].paths"; "[]"
// is a list item, "{}" a map value), plus "crd:" entries for what is not
// schema. Descriptions are left out on purpose: Tide words its own.
func crdFacts(t *testing.T, file string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "manifests", "crds", file))
	if err != nil {
		t.Fatal(err)
	}
	var crd struct {
		Metadata struct {
			Annotations map[string]string `json:"annotations"`
			Labels      map[string]string `json:"labels"`
		} `json:"metadata"`
		Spec struct {
			Group string         `json:"group"`
			Scope string         `json:"scope"`
			Names map[string]any `json:"names"`
			// Versions are read as raw maps: every key must be accounted for.
			Versions []map[string]any `json:"versions"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &crd); err != nil {
		t.Fatal(err)
	}
	facts := map[string]string{
		"crd:group": crd.Spec.Group,
		"crd:scope": crd.Spec.Scope,
		"crd:names": render(crd.Spec.Names),
	}
	for k, v := range crd.Metadata.Annotations {
		// The generator's version is not part of the API.
		if k != "controller-gen.kubebuilder.io/version" {
			facts["crd:annotation:"+k] = v
		}
	}
	for k, v := range crd.Metadata.Labels {
		facts["crd:label:"+k] = v
	}
	for _, v := range crd.Spec.Versions {
		name := fmt.Sprint(v["name"])
		schema := v["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any)
		for k, val := range v {
			if k != "schema" && k != "name" {
				facts["crd:version:"+name+":"+k] = render(val)
			}
		}
		if len(crd.Spec.Versions) == 1 {
			flatten(schema, "", false, facts)
		} else {
			// Several served versions: each schema's paths carry their
			// version ("v1beta3:spec.summary"), so none hides another.
			sub := map[string]string{}
			flatten(schema, "", false, sub)
			for path, fact := range sub {
				facts[name+":"+path] = fact
			}
		}
		// flatten records no entry for the root itself; its CEL rules
		// (OCIRepository's "spec.url is required") are API all the same.
		if rules, ok := schema["x-kubernetes-validations"]; ok {
			facts["crd:version:"+name+":x-kubernetes-validations"] = render(rules)
		}
	}
	return facts
}

// flatten records the node at path and recurses into its properties, list
// items and map values.
func flatten(node map[string]any, path string, required bool, facts map[string]string) {
	var parts []string
	if required {
		parts = append(parts, "required")
	}
	keys := make([]string, 0, len(node))
	for k := range node {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "description", "properties", "items", "required":
			continue
		case "additionalProperties":
			if sub, ok := node[k].(map[string]any); ok {
				flatten(sub, path+"{}", false, facts)
				continue
			}
		}
		parts = append(parts, k+"="+render(node[k]))
	}
	if path != "" {
		facts[path] = strings.Join(parts, " ")
	}
	req, _ := node["required"].([]any)
	if props, ok := node["properties"].(map[string]any); ok {
		for name, sub := range props {
			child := name
			if path != "" {
				child = path + "." + name
			}
			flatten(sub.(map[string]any), child, slices.Contains(req, any(name)), facts)
		}
	}
	if items, ok := node["items"].(map[string]any); ok {
		flatten(items, path+"[]", false, facts)
	}
}

// render writes a value as compact JSON (keys sorted), or a bare string.
func render(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// compareFacts fails for every fact that is missing, extra or different.
func compareFacts(t *testing.T, want, got map[string]string) {
	t.Helper()
	paths := make([]string, 0, len(want)+len(got))
	for p := range want {
		paths = append(paths, p)
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		w, inWant := want[p]
		g, inGot := got[p]
		switch {
		case !inGot:
			t.Errorf("missing from Tide's CRD: %q: %q", p, w)
		case !inWant:
			t.Errorf("not in Flux's CRD: %q: %q,", p, g)
		case w != g:
			t.Errorf("%s:\n  Flux: %s\n  Tide: %s", p, w, g)
		}
	}
}
