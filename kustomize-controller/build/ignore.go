package build

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/resid"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

// Ignore is spec.ignore, checked and compiled: fields, as
// JSON pointers (RFC 6901), that the controller neither sets nor corrects
// in the objects a rule targets (e.g. replicas an autoscaler owns).
type Ignore struct {
	rules []ignoreRule
}

type ignoreRule struct {
	matches func(*unstructured.Unstructured) bool
	paths   [][]string // unescaped pointer tokens
}

// NewIgnore compiles rules; a bad pointer or selector is an error that
// names the rule.
func NewIgnore(rules []kustomizev1.IgnoreRule) (*Ignore, error) {
	d := &Ignore{}
	for i, rule := range rules {
		matches, err := targetMatcher(rule.Target)
		if err != nil {
			return nil, fmt.Errorf("spec.ignore[%d].target: %w", i, err)
		}
		compiled := ignoreRule{matches: matches}
		for _, p := range rule.Paths {
			tokens, err := parsePointer(p)
			if err != nil {
				return nil, fmt.Errorf("spec.ignore[%d].paths: '%s': %w", i, p, err)
			}
			compiled.paths = append(compiled.paths, tokens)
		}
		d.rules = append(d.rules, compiled)
	}
	return d, nil
}

// Paths returns the ignored fields of o, as pointer tokens.
func (d *Ignore) Paths(o *unstructured.Unstructured) [][]string {
	var paths [][]string
	for _, r := range d.rules {
		if r.matches(o) {
			paths = append(paths, r.paths...)
		}
	}
	return paths
}

// Drop removes the ignored fields from every object (a path an object does
// not have is skipped) and returns the paths of each object.
func (d *Ignore) Drop(objects []*unstructured.Unstructured) map[*unstructured.Unstructured][][]string {
	dropped := make(map[*unstructured.Unstructured][][]string, len(objects))
	for _, o := range objects {
		if paths := d.Paths(o); len(paths) > 0 {
			RemoveFields(o, paths)
			dropped[o] = paths
		}
	}
	return dropped
}

// RemoveFields removes the fields at paths (pointer tokens, as Paths gives
// them) from o; a path o does not have is skipped.
func RemoveFields(o *unstructured.Unstructured, paths [][]string) {
	for _, tokens := range paths {
		o.Object = removeAt(o.Object, tokens).(map[string]any)
	}
}

// targetMatcher tells whether an object is selected by target, with
// kustomize's meaning of a selector (name and namespace are regular
// expressions); a nil target selects every object.
func targetMatcher(target *kustomizev1.Selector) (func(*unstructured.Unstructured) bool, error) {
	if target == nil {
		return func(*unstructured.Unstructured) bool { return true }, nil
	}
	re, err := kustypes.NewSelectorRegex(selector(target))
	if err != nil {
		return nil, err
	}
	byLabels, err := labels.Parse(target.LabelSelector)
	if err != nil {
		return nil, fmt.Errorf("labelSelector: %w", err)
	}
	byAnnotations, err := labels.Parse(target.AnnotationSelector)
	if err != nil {
		return nil, fmt.Errorf("annotationSelector: %w", err)
	}
	return func(o *unstructured.Unstructured) bool {
		gvk := o.GroupVersionKind()
		return re.MatchGvk(resid.Gvk{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind}) &&
			re.MatchName(o.GetName()) && re.MatchNamespace(o.GetNamespace()) &&
			byLabels.Matches(labels.Set(o.GetLabels())) &&
			byAnnotations.Matches(labels.Set(o.GetAnnotations()))
	}, nil
}

// parsePointer splits an RFC 6901 JSON pointer into its unescaped tokens.
func parsePointer(p string) ([]string, error) {
	if p == "" || !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("a JSON pointer starts with '/'")
	}
	tokens := strings.Split(p[1:], "/")
	for i, t := range tokens {
		tokens[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return tokens, nil
}

// removeAt returns node without the value at tokens; node is unchanged
// where the path does not lead anywhere. Only the field goes: an emptied
// parent stays, as it may mean something (emptyDir: {}).
func removeAt(node any, tokens []string) any {
	last := len(tokens) == 1
	switch n := node.(type) {
	case map[string]any:
		child, ok := n[tokens[0]]
		switch {
		case !ok:
		case last:
			delete(n, tokens[0])
		default:
			n[tokens[0]] = removeAt(child, tokens[1:])
		}
		return n
	case []any:
		i, err := strconv.Atoi(tokens[0])
		switch {
		case err != nil || i < 0 || i >= len(n):
		case last:
			return append(n[:i:i], n[i+1:]...)
		default:
			n[i] = removeAt(n[i], tokens[1:])
		}
		return n
	}
	return node
}
