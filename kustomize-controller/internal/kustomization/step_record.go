package kustomization

import (
	"context"
	"time"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

// recordApplied writes the revision that is now applied (and healthy) and
// adds the build to status.history.
func (r *Reconciler) recordApplied(_ context.Context, s *scope) error {
	obj := s.obj
	obj.Status.LastAppliedRevision = s.artifact.Revision
	obj.Status.History.Upsert(s.buildDigest, time.Now(), time.Since(s.start),
		kustomizev1.ReconciliationSucceededReason, map[string]string{"revision": s.artifact.Revision})
	return nil
}
