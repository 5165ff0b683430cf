package values

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/fluxcd/pkg/apis/meta"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/strvals"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Kinds of failure, for errors.Is.
var (
	// ErrNotFound: the ConfigMap or Secret does not exist.
	ErrNotFound = errors.New("not found")
	// ErrKeyNotFound: it exists but has no such key.
	ErrKeyNotFound = errors.New("key not found")
	// ErrInvalid: the content or the targetPath cannot be used.
	ErrInvalid = errors.New("invalid values")
)

// Error is a failure to use one valuesFrom reference.
type Error struct {
	// Index is the reference's position in spec.valuesFrom.
	Index int
	Ref   meta.ValuesReference
	Name  types.NamespacedName
	Kind  error // ErrNotFound, ErrKeyNotFound, ErrInvalid, or nil (transient)
	Err   error
}

func (e *Error) Error() string {
	what := fmt.Sprintf("spec.valuesFrom[%d]: %s '%s'", e.Index, e.Ref.Kind, e.Name)
	switch {
	case errors.Is(e.Kind, ErrNotFound):
		return what + " not found: create it or mark the reference optional"
	case errors.Is(e.Kind, ErrKeyNotFound):
		return fmt.Sprintf("%s has no key '%s': add it, fix valuesKey or mark the reference optional", what, e.Ref.GetValuesKey())
	case errors.Is(e.Kind, ErrInvalid):
		return fmt.Sprintf("%s key '%s': %v", what, e.Ref.GetValuesKey(), e.Err)
	default:
		return fmt.Sprintf("%s: %v", what, e.Err)
	}
}

func (e *Error) Unwrap() []error { return []error{e.Kind, e.Err} }

// Compose reads refs from namespace through c and merges them in order,
// then values on top, by Flux's rules: a reference without targetPath is a
// YAML document merged at the root; one with targetPath sets a single
// value (Helm's --set syntax, --set-literal when Literal) after values was
// merged, and again at the end, so it wins over spec.values and later
// references (as Flux's tests expect). Optional references that do not
// exist, or lack their key, are skipped.
func Compose(ctx context.Context, c client.Reader, namespace string, values map[string]any, refs []meta.ValuesReference) (map[string]any, error) {
	result := map[string]any{}
	cache := map[string]client.Object{}
	var targeted []meta.ValuesReference
	var targetedValues []string
	for i, ref := range refs {
		name := types.NamespacedName{Namespace: namespace, Name: ref.Name}
		fail := func(kind, err error) error { return &Error{Index: i, Ref: ref, Name: name, Kind: kind, Err: err} }
		data, found, err := read(ctx, c, cache, ref, name)
		switch {
		case err != nil:
			return nil, fail(nil, err)
		case !found && ref.Optional:
			continue
		case !found:
			return nil, fail(ErrNotFound, nil)
		}
		raw, ok := data[ref.GetValuesKey()]
		switch {
		case !ok && ref.Optional:
			continue
		case !ok:
			return nil, fail(ErrKeyNotFound, nil)
		}
		if ref.TargetPath != "" {
			result = Merge(result, values)
			if err := setPath(result, ref.TargetPath, string(raw), ref.Literal); err != nil {
				return nil, fail(ErrInvalid, fmt.Errorf("targetPath '%s': %w: fix its syntax (Helm's --set paths: a.b, a[0], a\\.b)", ref.TargetPath, err))
			}
			targeted, targetedValues = append(targeted, ref), append(targetedValues, string(raw))
			continue
		}
		doc, err := common.ReadValues(raw)
		if err != nil {
			return nil, fail(ErrInvalid, fmt.Errorf("not a YAML map: %w", err))
		}
		result = Merge(result, doc)
	}
	// A targetPath value wins over everything, spec.values included.
	result = Merge(result, values)
	for i, ref := range targeted {
		if err := setPath(result, ref.TargetPath, targetedValues[i], ref.Literal); err != nil {
			return nil, fmt.Errorf("targetPath '%s': %w", ref.TargetPath, err) // it was set once already
		}
	}
	return result, nil
}

// read returns the data of the ConfigMap or Secret ref names, reading each
// object once per composition.
func read(ctx context.Context, c client.Reader, cache map[string]client.Object, ref meta.ValuesReference, name types.NamespacedName) (map[string][]byte, bool, error) {
	key := ref.Kind + "/" + name.String()
	obj, seen := cache[key]
	if !seen {
		switch ref.Kind {
		case "ConfigMap":
			obj = &corev1.ConfigMap{}
		case "Secret":
			obj = &corev1.Secret{}
		default:
			return nil, false, fmt.Errorf("unsupported kind '%s': use ConfigMap or Secret", ref.Kind)
		}
		if err := c.Get(ctx, name, obj); err != nil {
			if !apierrors.IsNotFound(err) {
				return nil, false, err
			}
			obj = nil
		}
		cache[key] = obj
	}
	switch o := obj.(type) {
	case *corev1.ConfigMap:
		data := make(map[string][]byte, len(o.Data)+len(o.BinaryData))
		for k, v := range o.BinaryData {
			data[k] = v
		}
		for k, v := range o.Data {
			data[k] = []byte(v)
		}
		return data, true, nil
	case *corev1.Secret:
		return o.Data, true, nil
	default:
		return nil, false, nil
	}
}

// setPath sets the value at path in values with Helm's --set parser. A
// value in single or double quotes is set as a string without its quotes,
// as Flux does.
func setPath(values map[string]any, path, value string, literal bool) error {
	if literal {
		return strvals.ParseLiteralInto(path+"="+value, values)
	}
	quoted := len(value) >= 2 && ((strings.HasPrefix(value, "'") && strings.HasSuffix(value, "'")) ||
		(strings.HasPrefix(value, `"`) && strings.HasSuffix(value, `"`)))
	if quoted {
		return strvals.ParseIntoString(path+"="+strings.Trim(value, `'"`), values)
	}
	return strvals.ParseInto(path+"="+value, values)
}

// Merge merges b into a, b winning, maps merged key by key at every level;
// it returns a (a new map when a is nil).
func Merge(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := v.(map[string]any); ok {
			if am, ok := out[k].(map[string]any); ok {
				out[k] = Merge(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}
