package drift

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
)

// rule is one ignore rule, compiled: its paths, and the objects it selects
// (every object when target is unset). Group, version, kind, namespace and
// name are regular expressions matching in full, as in Flux; labels and
// annotations take label-selector syntax.
type rule struct {
	paths                               []string
	group, version, kind, namespace, nm *regexp.Regexp
	labels, annotations                 labels.Selector
}

func compile(rules []helmv2.IgnoreRule) ([]rule, error) {
	out := make([]rule, 0, len(rules))
	for i, r := range rules {
		c := rule{paths: r.Paths}
		if t := r.Target; t != nil {
			var err error
			for _, f := range []struct {
				dst  **regexp.Regexp
				expr string
			}{{&c.group, t.Group}, {&c.version, t.Version}, {&c.kind, t.Kind}, {&c.namespace, t.Namespace}, {&c.nm, t.Name}} {
				if f.expr == "" {
					continue
				}
				if *f.dst, err = regexp.Compile("^(" + f.expr + ")$"); err != nil {
					return nil, fmt.Errorf("spec.driftDetection.ignore[%d].target: %w", i, err)
				}
			}
			if t.LabelSelector != "" {
				if c.labels, err = labels.Parse(t.LabelSelector); err != nil {
					return nil, fmt.Errorf("spec.driftDetection.ignore[%d].target.labelSelector: %w", i, err)
				}
			}
			if t.AnnotationSelector != "" {
				if c.annotations, err = labels.Parse(t.AnnotationSelector); err != nil {
					return nil, fmt.Errorf("spec.driftDetection.ignore[%d].target.annotationSelector: %w", i, err)
				}
			}
		}
		out = append(out, c)
	}
	return out, nil
}

func (r rule) selects(u *unstructured.Unstructured) bool {
	gvk := u.GroupVersionKind()
	match := func(re *regexp.Regexp, s string) bool { return re == nil || re.MatchString(s) }
	return match(r.group, gvk.Group) && match(r.version, gvk.Version) && match(r.kind, gvk.Kind) &&
		match(r.namespace, u.GetNamespace()) && match(r.nm, u.GetName()) &&
		(r.labels == nil || r.labels.Matches(labels.Set(u.GetLabels()))) &&
		(r.annotations == nil || r.annotations.Matches(labels.Set(u.GetAnnotations())))
}

// ignoredPaths are the JSON pointers the rules leave out of u.
func ignoredPaths(rules []rule, u *unstructured.Unstructured) []string {
	var paths []string
	for _, r := range rules {
		if r.selects(u) {
			paths = append(paths, r.paths...)
		}
	}
	return paths
}

// removePointer deletes the field a JSON pointer (RFC 6901) names from
// doc, if it is there.
func removePointer(doc map[string]any, pointer string) {
	tokens := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	var cur any = doc
	for i, tok := range tokens {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		last := i == len(tokens)-1
		switch node := cur.(type) {
		case map[string]any:
			if last {
				delete(node, tok)
				return
			}
			cur = node[tok]
		case []any:
			n, err := strconv.Atoi(tok)
			if err != nil || n < 0 || n >= len(node) {
				return
			}
			if last {
				// Blank rather than shift: the indexes of the other
				// elements keep naming the same elements in both
				// documents compared.
				node[n] = nil
				return
			}
			cur = node[n]
		default:
			return
		}
	}
}

// CheckIgnore tells whether the ignore rules compile: an error names the
// rule and field to fix.
func CheckIgnore(rules []helmv2.IgnoreRule) error {
	_, err := compile(rules)
	return err
}
