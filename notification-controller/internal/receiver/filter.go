package receiver

import (
	"context"
	"fmt"

	"github.com/fluxcd/pkg/runtime/cel"
	celtypes "github.com/google/cel-go/common/types"
)

// compileFilter compiles a resource filter: a boolean CEL expression over
// the resource's metadata (res) and the request body (req).
func compileFilter(expr string) (*cel.Expression, error) {
	return cel.NewExpression(expr, cel.WithCompile(), cel.WithOutputType(celtypes.BoolType), cel.WithStructVariables("res", "req"))
}

// passes evaluates the filters (empty ones pass) for one resource.
func passes(ctx context.Context, res, req map[string]any, exprs ...string) (bool, error) {
	for _, expr := range exprs {
		if expr == "" {
			continue
		}
		e, err := compileFilter(expr)
		if err != nil {
			return false, err
		}
		ok, err := e.EvaluateBoolean(ctx, map[string]any{"res": res, "req": req})
		if err != nil {
			return false, fmt.Errorf("evaluate filter %q: %w", expr, err)
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}
