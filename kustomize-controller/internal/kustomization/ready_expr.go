package kustomization

import (
	"fmt"
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"
	"k8s.io/apimachinery/pkg/runtime"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

// readyExprCostLimit bounds one evaluation of a user's expression, so that
// it cannot keep a worker busy.
const readyExprCostLimit = 1_000_000

// readyExprEnv declares what a dependsOn[].readyExpr sees, as in Flux: `dep`,
// the dependency, and `self`, the Kustomization that waits for it.
var readyExprEnv = sync.OnceValues(func() (*cel.Env, error) {
	return cel.NewEnv(
		cel.Variable("dep", cel.DynType),
		cel.Variable("self", cel.DynType),
		cel.OptionalTypes(),
		cel.CrossTypeNumericComparisons(true),
		ext.Strings(), ext.Lists(), ext.Sets(),
	)
})

// readyExpr is a compiled dependsOn[].readyExpr.
type readyExpr struct {
	source string
	prg    cel.Program
}

// compileReadyExpr compiles source, so that a mistake is reported whether
// or not the dependency exists yet.
func compileReadyExpr(source string) (*readyExpr, error) {
	env, err := readyExprEnv()
	if err != nil {
		return nil, fmt.Errorf("set up CEL: %w", err)
	}
	ast, issues := env.Compile(source)
	if issues.Err() != nil {
		return nil, fmt.Errorf("invalid readyExpr '%s': %w", source, issues.Err())
	}
	if ast.OutputType() != cel.BoolType && ast.OutputType() != cel.DynType {
		return nil, fmt.Errorf("invalid readyExpr '%s': it gives %s, not a bool", source, ast.OutputType())
	}
	prg, err := env.Program(ast, cel.CostLimit(readyExprCostLimit))
	if err != nil {
		return nil, fmt.Errorf("invalid readyExpr '%s': %w", source, err)
	}
	return &readyExpr{source: source, prg: prg}, nil
}

// ready evaluates the expression for the dependency dep of obj. It
// replaces the built-in check (Ready at the latest generation), as in Flux.
func (e *readyExpr) ready(dep, obj *kustomizev1.Kustomization) (bool, error) {
	depMap, err := runtime.DefaultUnstructuredConverter.ToUnstructured(dep)
	if err != nil {
		return false, err
	}
	selfMap, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
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
