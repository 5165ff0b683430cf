package build

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/fluxcd/pkg/envsubst"
	"github.com/fluxcd/pkg/envsubst/parse"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

// substituteKey is the label or annotation that turns substitution off for
// one object, with the value "disabled".
const substituteKey = "kustomize.toolkit.fluxcd.io/substitute"

// disabled is the value with which an object opts out of substitution (and
// of decryption).
const disabled = "disabled"

// varNamePattern is what a variable name must match, as in Flux.
const varNamePattern = `^[_a-zA-Z][_a-zA-Z0-9]*$`

var varName = regexp.MustCompile(varNamePattern)

// Substitute runs Flux's post-build variable substitution on every object
// (string values and keys alike, as Flux does on the YAML text), with the
// expressions of Flux's envsubst: ${VAR}, ${VAR:=default}, ${VAR:-default},
// ${VAR=default}, ${VAR:pos}, ${VAR:pos:len}, ${VAR/a/b}, ${VAR//a/b},
// ${VAR/#a/b}, ${VAR/%a/b}, ${VAR#a}, ${VAR##a}, ${VAR%a}, ${VAR%%a},
// ${#VAR}, ${VAR^}, ${VAR^^}, ${VAR,} and ${VAR,,}. '$$' is an escape for
// '$' anywhere in the text, so $${VAR} is a literal ${VAR}. What Flux cannot
// parse (such as ${VAR-default}, ${VAR+x} or an unclosed '${') is refused.
// Objects with the annotation or label
// kustomize.toolkit.fluxcd.io/substitute: disabled are left alone.
//
// Substitution is strict, as in Flux from v2.9 (its StrictPostBuildSubstitutions
// feature gate, on by default): a variable that is not set, used without a
// default, is an error naming the variable and the object (PostBuild can turn
// this off, as the gate does). A variable set to the empty string is set. Like Flux, a default is evaluated even when the
// variable is set, so every variable it names must be set too. Variable
// names must match ^[_a-zA-Z][_a-zA-Z0-9]*$.
//
// Like Flux, each object is written as YAML (through JSON, so the quotes of
// the source files are gone), substituted as text and read back: a value
// that spells a number or a boolean, such as replicas: ${REPLICAS}, becomes
// one.
//
// The objects passed in are not modified; those that needed no change are
// returned as they are.
func Substitute(objs []*unstructured.Unstructured, vars map[string]string) ([]*unstructured.Unstructured, error) {
	return substitute(objs, vars, true)
}

// substitute is Substitute; when strict is false, a variable that is not set
// reads as the empty string, whatever the expression.
func substitute(objs []*unstructured.Unstructured, vars map[string]string, strict bool) ([]*unstructured.Unstructured, error) {
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
		res, err := substituteObject(obj, vars, strict)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", objectRef(obj), err)
		}
		out = append(out, res)
	}
	return out, nil
}

// substitutionDisabled reports whether obj opted out of substitution. Like
// Flux, the value must be exactly "disabled".
func substitutionDisabled(obj *unstructured.Unstructured) bool {
	return obj.GetAnnotations()[substituteKey] == disabled || obj.GetLabels()[substituteKey] == disabled
}

// substituteObject substitutes the YAML text of obj.
func substituteObject(obj *unstructured.Unstructured, vars map[string]string, strict bool) (*unstructured.Unstructured, error) {
	data, err := yaml.Marshal(obj.Object)
	if err != nil {
		return nil, fmt.Errorf("cannot write the object as YAML: %w", err)
	}
	text := string(data)
	// Not only "${": Flux's envsubst also turns "$$" into "$".
	if !strings.Contains(text, "$") {
		return obj, nil
	}
	// The text of a Secret is never quoted in a message.
	result, err := expand(text, vars, strict, !isSecret(obj))
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

// expand runs Flux's envsubst on s and rewrites its terse errors into ones
// that say what to do; with quote, they show the reference that could not
// be parsed.
func expand(s string, vars map[string]string, strict, quote bool) (string, error) {
	// The evaluation stops at the first unset variable it looks up without a
	// default, so the last unset one looked up is the one at fault.
	lastUnset := ""
	out, err := envsubst.Eval(s, func(name string) (string, bool) {
		v, ok := vars[name]
		if !ok {
			lastUnset = name
		}
		return v, ok || !strict
	})
	switch {
	case err == nil:
		return out, nil
	case isParseError(err):
		return "", fmt.Errorf("%s: this is not a variable reference Flux's substitution can read; "+
			"write $${ for a literal '${'", parseErrorAt(s, err, quote))
	case lastUnset != "":
		return "", missingVar(lastUnset)
	default:
		return "", fmt.Errorf("variable substitution failed: %w", err)
	}
}

// isParseError reports whether err says the text could not be parsed.
func isParseError(err error) bool {
	for _, e := range []error{parse.ErrBadSubstitution, parse.ErrMissingClosingBrace, parse.ErrParseVariableName,
		parse.ErrParseFuncSubstitution, parse.ErrParseDefaultFunction} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// parseErrorAt names the first line of s that does not parse on its own,
// from its first '${', so that the user can find it (unless quote is
// false).
func parseErrorAt(s string, err error, quote bool) string {
	for line := range strings.Lines(s) {
		if !quote {
			break
		}
		i := strings.Index(line, "${")
		if i < 0 {
			continue
		}
		if _, lineErr := envsubst.Parse(line); lineErr != nil {
			return fmt.Sprintf("'%s' cannot be parsed (%s)", excerpt(line[i:]), lineErr)
		}
	}
	return fmt.Sprintf("the object cannot be parsed for substitution (%s)", err)
}

// missingVar is the error of a variable with no value and no default.
func missingVar(name string) error {
	return fmt.Errorf("variable '%s' is not set and has no default: set it in spec.postBuild.substitute "+
		"or substituteFrom, give it a default with ${%s:=value}, or write $${%s} to keep it as it is "+
		"(a default is read even when the variable it follows is set)",
		name, name, name)
}

// excerpt shortens a line of YAML for a message.
func excerpt(s string) string {
	const max = 60
	s = strings.TrimRight(s, "\r\n")
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
