package helmrepository

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/helmindex"
	"github.com/tidegitops/tide/source-controller/internal/helmrepo"
)

// fetch downloads the index and computes its revision, unless the server
// says the index still has the ETag of the one stored. When the stored
// artifact holds that revision nothing else is done; otherwise the index
// is parsed, so that a broken one is refused before it replaces the last
// good artifact. Failures of the server are retried with backoff (the fix
// is on the server, no change of the object would signal it).
func (r *Reconciler) fetch(ctx context.Context, s *scope) error {
	fetched, err := helmrepo.FetchIndexIfChanged(ctx, s.obj.Spec.URL, s.opts, r.IndexMaxSize, r.etags.forRevision(s.obj))
	if errors.Is(err, helmrepo.ErrInvalidURL) {
		return failed(s.obj, sourcev1.FetchFailedCondition, skeleton.Stall(sourcev1.URLInvalidReason, "%s", err.Error()))
	}
	if err != nil {
		// Flux's reason for every failed download.
		return failed(s.obj, sourcev1.FetchFailedCondition, skeleton.Retry(meta.FailedReason, err))
	}
	if fetched.NotModified {
		// Only asked with the ETag of the index the artifact holds.
		s.revision, s.upToDate = s.obj.Status.Artifact.Revision, true
		conditions.Delete(s.obj, sourcev1.FetchFailedCondition)
		return nil
	}
	s.etag = fetched.ETag
	sum := sha256.Sum256(fetched.Data)
	s.revision = "sha256:" + hex.EncodeToString(sum[:])
	if a := s.obj.Status.Artifact; a != nil && a.Revision == s.revision {
		s.upToDate = true
		r.etags.record(s.obj, s.etag, s.revision)
		conditions.Delete(s.obj, sourcev1.FetchFailedCondition)
		return nil
	}
	index, err := helmindex.Parse(fetched.Data)
	if err != nil {
		return failed(s.obj, sourcev1.FetchFailedCondition, skeleton.Retryf(sourcev1.IndexationFailedReason,
			"the index.yaml of %s cannot be used: %w: fix the repository's index, or point spec.url at a Helm chart repository",
			redacted(s.obj.Spec.URL), err))
	}
	conditions.Delete(s.obj, sourcev1.FetchFailedCondition)
	s.index = index
	if s.obj.Status.Artifact != nil {
		conditions.MarkTrue(s.obj, sourcev1.ArtifactOutdatedCondition, sourcev1.NewRevisionReason,
			"new index revision '%s'", s.revision)
	}
	skeleton.ShowProgress(ctx, "building artifact: new index revision '%s'", s.revision)
	return nil
}
