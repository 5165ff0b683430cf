// Package readyexpr compiles and evaluates the CEL expression of a
// dependsOn[].readyExpr, shared by every controller whose kind can wait for
// others of its kind (Kustomization, HelmRelease). As in Flux, the
// expression sees `dep`, the dependency, and `self`, the object that waits
// for it, and replaces the built-in check (Ready at the latest generation).
package readyexpr

import (
	"fmt"
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"
	"k8s.io/apimachinery/pkg/runtime"
)

// costLimit bounds one evaluation of a user's expression, so that it
// cannot keep a worker busy.
const costLimit = 1_000_000

// env declares what an expression sees. Both are dynamic: the objects are
// handed over as unstructured maps, so any field of the kind is reachable.
var env = sync.OnceValues(func() (*cel.Env, error) {
	return cel.NewEnv(
		cel.Variable("dep", cel.DynType),
		cel.Variable("self", cel.DynType),
		cel.OptionalTypes(),
		cel.CrossTypeNumericComparisons(true),
		ext.Strings(), ext.Lists(), ext.Sets(),
	)
})

// Expr is a compiled dependsOn[].readyExpr.
type Expr struct {
	source string
	prg    cel.Program
}

// Compile compiles source. Controllers compile before they look the
// dependency up, so that a mistake is reported whether or not the
// dependency exists yet.
func Compile(source string) (*Expr, error) {
	e, err := env()
	if err != nil {
		return nil, fmt.Errorf("set up CEL: %w", err)
	}
	ast, issues := e.Compile(source)
	if issues.Err() != nil {
		return nil, fmt.Errorf("invalid readyExpr '%s': %w", source, issues.Err())
	}
	// Dyn is let through: `dep.status.x` has no static type; Ready checks
	// the value at evaluation.
	if ast.OutputType() != cel.BoolType && ast.OutputType() != cel.DynType {
		return nil, fmt.Errorf("invalid readyExpr '%s': it gives %s, not a bool", source, ast.OutputType())
	}
	prg, err := e.Program(ast, cel.CostLimit(costLimit))
	if err != nil {
		return nil, fmt.Errorf("invalid readyExpr '%s': %w", source, err)
	}
	return &Expr{source: source, prg: prg}, nil
}

// Ready evaluates the expression for the dependency dep of self.
func (e *Expr) Ready(dep, self runtime.Object) (bool, error) {
	depMap, err := runtime.DefaultUnstructuredConverter.ToUnstructured(dep)
	if err != nil {
		return false, err
	}
	selfMap, err := runtime.DefaultUnstructuredConverter.ToUnstructured(self)
	if err != nil {
		return false, err
	}
	out, _, err := e.prg.Eval(map[string]any{"dep": depMap, "self": selfMap})
	if err != nil {
		// Typically a field the dependency does not have (yet): waiting
		// may be right, but a guard may be what is missing.
		return false, fmt.Errorf("readyExpr '%s': %w (guard fields that may be missing with has() or ?.)", e.source, err)
	}
	ready, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("readyExpr '%s' gave %v, not a bool", e.source, out.Value())
	}
	return ready, nil
}
