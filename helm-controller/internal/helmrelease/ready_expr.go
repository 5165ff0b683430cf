package helmrelease

import (
	"fmt"
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"
	"k8s.io/apimachinery/pkg/runtime"
)

// readyExprCostLimit bounds one evaluation of a user's expression.
const readyExprCostLimit = 1_000_000

// readyExprEnv declares what a dependsOn[].readyExpr sees, as in Flux:
// `dep`, the dependency, and `self`, the HelmRelease that waits for it.
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

// ready evaluates the expression for the dependency dep of obj.
func (e *readyExpr) ready(dep, obj runtime.Object) (bool, error) {
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
		return false, fmt.Errorf("readyExpr '%s': %w (guard fields that may be missing with has() or ?.)", e.source, err)
	}
	ready, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("readyExpr '%s' gave %v, not a bool", e.source, out.Value())
	}
	return ready, nil
}
