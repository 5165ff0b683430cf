package eventserver

import (
	"context"
	"fmt"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
	"github.com/fluxcd/pkg/runtime/cel"
	celtypes "github.com/google/cel-go/common/types"
	"k8s.io/apimachinery/pkg/runtime"

	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/notification-controller/internal/notifier"
)

// commitStatusID is the status id of a Git Provider: spec.commitStatusExpr
// evaluated over event, alert and provider, or Flux's default.
func commitStatusID(ctx context.Context, p *notificationv1beta3.Provider, a *notificationv1beta3.Alert, e eventv1.Event) (string, error) {
	if p.Spec.CommitStatusExpr == "" {
		return notifier.CommitStatusID(string(p.UID), e), nil
	}
	expr, err := cel.NewExpression(p.Spec.CommitStatusExpr, cel.WithCompile(),
		cel.WithOutputType(celtypes.StringType), cel.WithStructVariables("event", "alert", "provider"))
	if err != nil {
		return "", fmt.Errorf("failed to evaluate the spec.commitStatusExpr CEL expression for the event: failed to compile expression: %w", err)
	}
	vars := map[string]any{}
	for name, obj := range map[string]any{"event": &e, "alert": a, "provider": p} {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			return "", fmt.Errorf("failed to convert %s to map: %w", name, err)
		}
		vars[name] = m
	}
	id, err := expr.EvaluateString(ctx, vars)
	if err != nil {
		return "", fmt.Errorf("failed to evaluate the spec.commitStatusExpr CEL expression for the event: %w", err)
	}
	return id, nil
}
