package health

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/clusterkit/inventory"
)

// topLevelFields are bound as variables of their own besides `self`, the
// whole object: Flux's healthCheckExprs are written against them
// (`status.phase == 'Ready'`), Tide's may also say `self.status.phase`.
var topLevelFields = []string{"apiVersion", "kind", "metadata", "spec", "status"}

// costLimit bounds the work of one evaluation, so that an expression from a
// user cannot keep a worker busy (a comprehension over a huge list).
const costLimit = 1_000_000

var celEnv = sync.OnceValues(func() (*cel.Env, error) {
	opts := []cel.EnvOption{
		cel.Variable("self", cel.DynType),
		cel.OptionalTypes(), // status.?conditions.orValue([])
		cel.CrossTypeNumericComparisons(true),
		cel.DefaultUTCTimeZone(true),
		ext.Strings(), ext.Lists(), ext.Sets(), ext.Encoders(), ext.Math(),
	}
	for _, f := range topLevelFields {
		opts = append(opts, cel.Variable(f, cel.DynType))
	}
	return cel.NewEnv(opts...)
})

// rules are the compiled healthCheckExprs of one object, by kind. An
// entry without a kind is kept under its apiVersion with an empty kind: it
// covers every kind of that apiVersion no entry names, as in Flux.
type rules struct {
	byKind map[schema.GroupVersionKind]*rule
	// kinds are the caller's rules for kinds no entry covers (Options.KindRules).
	kinds map[schema.GroupKind]KindRule
}

// rule is one compiled CustomHealthCheck. current is always set.
type rule struct {
	failed, current, inProgress *expr
}

type expr struct {
	field  string // failed, current or inProgress
	source string
	prg    cel.Program
}

// compile compiles every expression, so that a mistake is reported before
// any waiting. When two entries name the same kind, the first one is used.
func compile(checks []kustomizev1.CustomHealthCheck) (*rules, error) {
	rs := &rules{byKind: map[schema.GroupVersionKind]*rule{}}
	if len(checks) == 0 {
		return rs, nil
	}
	env, err := celEnv()
	if err != nil {
		return nil, fmt.Errorf("set up CEL: %w", err)
	}
	for _, c := range checks {
		r := &rule{}
		for _, f := range []struct {
			name, source string
			dst          **expr
		}{
			{"failed", c.Failed, &r.failed},
			{"current", c.Current, &r.current},
			{"inProgress", c.InProgress, &r.inProgress},
		} {
			invalid := func(err error) error {
				return &InvalidExprError{APIVersion: c.APIVersion, Kind: c.Kind, Field: f.name, Expr: f.source, Err: err}
			}
			if strings.TrimSpace(f.source) == "" {
				if f.name == "current" {
					return nil, invalid(errors.New("it is required"))
				}
				continue
			}
			prg, err := compileExpr(env, f.source)
			if err != nil {
				return nil, invalid(err)
			}
			*f.dst = &expr{field: f.name, source: f.source, prg: prg}
		}
		key := schema.FromAPIVersionAndKind(c.APIVersion, c.Kind)
		if _, seen := rs.byKind[key]; !seen {
			rs.byKind[key] = r
		}
	}
	return rs, nil
}

func compileExpr(env *cel.Env, source string) (cel.Program, error) {
	ast, iss := env.Compile(source)
	if iss.Err() != nil {
		// One line per problem, without the multi-line source snippet
		// cel-go adds: the message ends up in a condition.
		var msgs []string
		for _, e := range iss.Errors() {
			msgs = append(msgs, fmt.Sprintf("%d:%d: %s", e.Location.Line(), e.Location.Column()+1, e.Message))
		}
		return nil, errors.New(strings.Join(msgs, "; "))
	}
	if t := ast.OutputType(); !t.IsExactType(cel.BoolType) && !t.IsExactType(cel.DynType) {
		return nil, fmt.Errorf("it must evaluate to a bool, not %s", t)
	}
	return env.Program(ast, cel.CostLimit(costLimit))
}

// forKind returns the rule for an apiVersion and kind: the entry naming
// that kind, else the apiVersion's kind-less entry, else nil.
func (rs *rules) forKind(apiVersion, kind string) *rule {
	if r, ok := rs.byKind[schema.FromAPIVersionAndKind(apiVersion, kind)]; ok {
		return r
	}
	return rs.byKind[schema.FromAPIVersionAndKind(apiVersion, "")]
}

// evaluate returns the health of an object read from the cluster.
func (rs *rules) evaluate(ref inventory.ObjectRef, obj *unstructured.Unstructured) Result {
	if r := rs.forKind(obj.GetAPIVersion(), obj.GetKind()); r != nil {
		st, msg := r.evaluate(obj)
		return Result{Ref: ref, Status: st, Message: msg}
	}
	if kr, ok := rs.kinds[ref.GroupVersionKind().GroupKind()]; ok {
		st, msg := kr(obj)
		return Result{Ref: ref, Status: st, Message: msg}
	}
	return kstatusOf(ref, obj)
}

// evaluate tries failed, then current, then inProgress; the first that is
// true gives the status, and none means InProgress. An expression that
// cannot be evaluated (it names a field the object does not have yet) counts
// as false, and its error is kept in the message.
func (r *rule) evaluate(obj *unstructured.Unstructured) (string, string) {
	vars := map[string]any{"self": obj.Object}
	for _, f := range topLevelFields {
		if v, ok := obj.Object[f]; ok {
			vars[f] = v
		}
	}
	var problems []string
	for _, step := range []struct {
		e      *expr
		status string
	}{{r.failed, Failed}, {r.current, Current}, {r.inProgress, InProgress}} {
		if step.e == nil {
			continue
		}
		ok, err := step.e.eval(vars)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s expression: %v", step.e.field, err))
			continue
		}
		if ok {
			msg := fmt.Sprintf("%s expression %q is true", step.e.field, step.e.source)
			if step.status == Failed {
				msg = joinMessage(msg, objectMessage(obj))
			}
			return step.status, msg
		}
	}
	msg := fmt.Sprintf("waiting for current expression %q", r.current.source)
	if len(problems) > 0 {
		msg += " (" + strings.Join(problems, "; ") + ")"
	}
	return InProgress, msg
}

func (e *expr) eval(vars map[string]any) (bool, error) {
	out, _, err := e.prg.Eval(vars)
	if err != nil {
		return false, err
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("returned %v (%s), not a bool", out.Value(), out.Type().TypeName())
	}
	return b, nil
}

// objectMessage returns what the object says about itself, if anything:
// status.message, or the message of its Ready or Stalled condition.
func objectMessage(obj *unstructured.Unstructured) string {
	if m, ok, _ := unstructured.NestedString(obj.Object, "status", "message"); ok && m != "" {
		return m
	}
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, want := range []string{"Stalled", "Ready"} {
		for _, c := range conds {
			m, ok := c.(map[string]any)
			if !ok || m["type"] != want {
				continue
			}
			if msg, _ := m["message"].(string); msg != "" {
				return msg
			}
		}
	}
	return ""
}
