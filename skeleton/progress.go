package skeleton

import (
	"context"
	"errors"
	"fmt"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	ctrl "sigs.k8s.io/controller-runtime"
)

type progressKey struct{}

// progress writes Reconciling into the object a step is working on.
type progress func(ctx context.Context, reason, message string)

func withProgress(ctx context.Context, obj Object, w *writer) context.Context {
	return context.WithValue(ctx, progressKey{}, progress(func(ctx context.Context, reason, message string) {
		conditions.MarkReconciling(obj, reason, "%s", message)
		if err := w.write(ctx, obj); err != nil && !errors.Is(err, errGone) {
			// Only the display of progress is lost; the outcome is
			// written at the end as always.
			ctrl.LoggerFrom(ctx).Error(err, "cannot show progress", "message", message)
		}
	}))
}

// ShowProgress writes Reconciling=True with the message into the object
// at once, for a step about to take long (e.g. waiting for a rollout), so
// that users see what it waits for. Outside a step of Run it does nothing.
func ShowProgress(ctx context.Context, format string, args ...any) {
	if show, ok := ctx.Value(progressKey{}).(progress); ok {
		show(ctx, meta.ProgressingReason, fmt.Sprintf(format, args...))
	}
}
