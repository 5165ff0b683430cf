package build

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

// substituteKey is the label or annotation that turns substitution off for
// one object, with the value "disabled".
const substituteKey = "kustomize.toolkit.fluxcd.io/substitute"

// varNamePattern is what a variable name must match, as in Flux.
const varNamePattern = `^[_a-zA-Z][_a-zA-Z0-9]*$`

var varName = regexp.MustCompile(varNamePattern)

// Substitute replaces ${VAR}, ${VAR:=default} and ${VAR:-default} in every object (string values
// and keys, as Flux's postBuild does on the YAML text) from vars; `$${VAR}` is an escape for a
// literal ${VAR}. Objects with the annotation or label kustomize.toolkit.fluxcd.io/substitute: disabled are left alone.
// A variable with no value and no default is an error naming the variable and the object
// (strict: Tide refuses to apply half-substituted YAML). Var names must match ^[_a-zA-Z][_a-zA-Z0-9]*$.
//
// Like Flux, each object is written as YAML (through JSON, so the quotes of
// the source files are gone), substituted as text and read back: a value
// that spells a number or a boolean, such as replicas: ${REPLICAS}, becomes
// one. A default ends at its matching '}' and may itself hold references.
// $VAR without braces is left alone, and so is anything after '$$' that is
// not '{'. Any other '${' is an error, since it could only be a typo or an
// expression Tide does not support; write $${...} to keep it as it is.
//
// The objects passed in are not modified; those that needed no change are
// returned as they are.
func Substitute(objs []*unstructured.Unstructured, vars map[string]string) ([]*unstructured.Unstructured, error) {
	names := make([]string, 0, len(vars))
	for name := range vars {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !varName.MatchString(name) {
			return nil, fmt.Errorf("variable name '%s' is invalid: it must match '%s' "+
				"(letters, digits and '_', not starting with a digit)", name, varNamePattern)
		}
	}
	out := make([]*unstructured.Unstructured, 0, len(objs))
	for _, obj := range objs {
		if substitutionDisabled(obj) {
			out = append(out, obj)
			continue
		}
		res, err := substituteObject(obj, vars)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", objectRef(obj), err)
		}
		out = append(out, res)
	}
	return out, nil
}

// substitutionDisabled reports whether obj opted out of substitution.
func substitutionDisabled(obj *unstructured.Unstructured) bool {
	return strings.EqualFold(obj.GetAnnotations()[substituteKey], "disabled") ||
		strings.EqualFold(obj.GetLabels()[substituteKey], "disabled")
}

// substituteObject substitutes the YAML text of obj.
func substituteObject(obj *unstructured.Unstructured, vars map[string]string) (*unstructured.Unstructured, error) {
	data, err := yaml.Marshal(obj.Object)
	if err != nil {
		return nil, fmt.Errorf("cannot write the object as YAML: %w", err)
	}
	text := string(data)
	if !strings.Contains(text, "${") {
		return obj, nil
	}
	result, err := expand(text, vars)
	if err != nil {
		return nil, err
	}
	if result == text {
		return obj, nil
	}
	jsonData, err := yaml.YAMLToJSON([]byte(result))
	if err != nil {
		return nil, fmt.Errorf("the object is no longer valid YAML after substitution "+
			"(does a value hold ': ', '#', a quote or a line break?): %w", err)
	}
	m := map[string]any{}
	if err := utiljson.Unmarshal(jsonData, &m); err != nil || len(m) == 0 {
		return nil, fmt.Errorf("the object is no longer a Kubernetes object after substitution")
	}
	res := &unstructured.Unstructured{Object: m}
	if res.GetAPIVersion() == "" || res.GetKind() == "" {
		return nil, fmt.Errorf("the object has no apiVersion or kind after substitution")
	}
	return res, nil
}

// objectRef names obj in messages: Kind/namespace/name, or Kind/name.
func objectRef(obj *unstructured.Unstructured) string {
	if ns := obj.GetNamespace(); ns != "" {
		return fmt.Sprintf("%s/%s/%s", obj.GetKind(), ns, obj.GetName())
	}
	return fmt.Sprintf("%s/%s", obj.GetKind(), obj.GetName())
}

// expand replaces the variable references of s.
func expand(s string, vars map[string]string) (string, error) {
	out, _, err := expandFrom(s, 0, vars, false, true)
	return out, err
}

// errNotClosed is what expandFrom returns when a default runs to the end of
// the text; the caller turns it into a message that shows the reference.
var errNotClosed = errors.New("not closed")

// expandFrom expands s from index i in one pass. Inside a default (nested),
// it stops after the '}' that closes the default and returns the index
// after it. With eval false it only finds the end (a default that is not
// used), so that variables it names need not be set.
func expandFrom(s string, i int, vars map[string]string, nested, eval bool) (string, int, error) {
	var b strings.Builder
	for i < len(s) {
		j := strings.IndexAny(s[i:], "$}")
		if j < 0 {
			b.WriteString(s[i:])
			i = len(s)
			break
		}
		b.WriteString(s[i : i+j])
		i += j
		switch {
		case s[i] == '}':
			if nested {
				return b.String(), i + 1, nil
			}
			b.WriteByte('}')
			i++
		case strings.HasPrefix(s[i:], "$${"):
			// An escape: "$${...}" is kept without its first '$', up to
			// the first '}'.
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				end = len(s) - i - 1
			}
			b.WriteString(s[i+1 : i+end+1])
			i += end + 1
		case strings.HasPrefix(s[i:], "${"):
			value, next, err := expandReference(s, i, vars, eval)
			if err != nil {
				return "", 0, err
			}
			b.WriteString(value)
			i = next
		default:
			b.WriteByte('$')
			i++
		}
	}
	if nested {
		return "", 0, errNotClosed
	}
	return b.String(), i, nil
}

// expandReference expands the reference that starts at s[start] ("${") and
// returns the index just after it.
func expandReference(s string, start int, vars map[string]string, eval bool) (string, int, error) {
	n := start + 2
	for n < len(s) && isNameByte(s[n]) {
		n++
	}
	name := s[start+2 : n]
	if n >= len(s) {
		return "", 0, notClosed(s[start:])
	}
	if name == "" || !varName.MatchString(name) {
		return "", 0, fmt.Errorf("'%s' is not a valid variable reference: names must match '%s'; "+
			"write $${ for a literal '${'", excerpt(s[start:], true), varNamePattern)
	}
	value, set := vars[name]
	if s[n] == '}' {
		if !set && eval {
			return "", 0, missingVar(name)
		}
		return value, n + 1, nil
	}
	if !strings.HasPrefix(s[n:], ":=") && !strings.HasPrefix(s[n:], ":-") {
		if end := strings.IndexAny(s[n:], "}\n"); end < 0 || s[n+end] == '\n' {
			return "", 0, notClosed(s[start:])
		}
		return "", 0, fmt.Errorf("'%s' is not supported: Tide substitutes ${%s}, ${%s:=default} and ${%s:-default}; "+
			"write $${ for a literal '${'", excerpt(s[start:], true), name, name, name)
	}
	useDefault := !set || value == ""
	def, next, err := expandFrom(s, n+2, vars, true, eval && useDefault)
	if errors.Is(err, errNotClosed) {
		return "", 0, notClosed(s[start:])
	}
	if err != nil {
		return "", 0, err
	}
	if useDefault {
		return def, next, nil
	}
	return value, next, nil
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// notClosed is the error of a reference without its '}'.
func notClosed(from string) error {
	return fmt.Errorf("'%s' is not closed with '}'; write $${ for a literal '${'", excerpt(from, false))
}

// missingVar is the error of a variable with no value and no default.
func missingVar(name string) error {
	return fmt.Errorf("variable '%s' is not set and has no default: set it in spec.postBuild.substitute "+
		"or substituteFrom, give it a default with ${%s:=value}, or write $${%s} to keep it as it is",
		name, name, name)
}

// excerpt shortens a piece of YAML for a message: its first line, cut
// after the first '}' when toBrace is set.
func excerpt(s string, toBrace bool) string {
	const max = 60
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, '}'); toBrace && i >= 0 {
		s = s[:i+1]
	}
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
