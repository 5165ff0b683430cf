package kustomization

import (
	"context"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
)

// recordApplied writes the revision that is now applied (and healthy).
func (r *Reconciler) recordApplied(_ context.Context, s *scope) error {
	s.obj.Status.LastAppliedRevision = s.artifact.Revision
	s.obj.Status.LastAppliedOriginRevision = originRevision(s.artifact)
	r.rememberCheck(s)
	return nil
}

// recordHistory adds this run to status.history, with its outcome, once it
// got as far as a build: the history tells which builds were tried, how
// often, and how each ended, failures included.
func (s *scope) recordHistory() {
	if s.buildDigest == "" || (s.quiet && conditions.IsReady(s.obj)) {
		return
	}
	s.obj.Status.History.Upsert(s.buildDigest, time.Now(), time.Since(s.start),
		conditions.GetReason(s.obj, meta.ReadyCondition), historyMetadata(s.artifact))
}
