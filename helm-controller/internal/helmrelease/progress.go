package helmrelease

import (
	"context"
	"fmt"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"

	"github.com/tidegitops/tide/skeleton"
)

// showAction writes, before a Helm action that may take minutes,
// Reconciling=True saying which action runs with which timeout, as Flux
// does; before an install or upgrade Ready=Unknown says it too (Flux's
// rule: before a test or remediation, Ready keeps the failure that led to
// it). The skeleton knows the version this write leaves, so the next
// reconciliation waits for its cache to hold the final status instead of
// reading this one.
func (s *scope) showAction(ctx context.Context, a *helmAction) {
	timeout := a.timeout
	if timeout == 0 {
		// An action without a timeout of its own (unlock): the
		// HelmRelease's, as Flux shows it.
		timeout = s.obj.GetTimeout().Duration
	}
	msg := fmt.Sprintf("Running '%s' action with timeout of %s", a.name, timeout)
	if a.kind == kindRelease {
		conditions.MarkUnknown(s.obj, meta.ReadyCondition, meta.ProgressingReason, "%s", msg)
	}
	skeleton.ShowProgress(ctx, "%s", msg)
}
