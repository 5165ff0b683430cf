package gitrepository

import (
	"context"
	"path/filepath"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	ctrl "sigs.k8s.io/controller-runtime"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/ignore"
)

// archive copies the included artifacts into the checkout, writes the
// filtered checkout as the new artifact, and records it in status. Storage
// writes are atomic, so a failure here leaves the previous artifact served.
func (r *Reconciler) archive(ctx context.Context, s *scope) error {
	if s.upToDate {
		conditions.Delete(s.obj, sourcev1.ArtifactOutdatedCondition)
		return nil
	}
	for _, inc := range s.includes {
		to := filepath.Join(s.workDir, filepath.Clean("/"+inc.spec.GetToPath()))
		if err := r.Storage.CopyFromArtifact(inc.artifact, inc.spec.GetFromPath(), to); err != nil {
			return failed(s.obj, sourcev1.StorageOperationFailedCondition, skeleton.Retryf(
				sourcev1.ArchiveOperationFailedReason, "copy included GitRepository '%s': %w", inc.spec.GitRepositoryRef.Name, err))
		}
	}
	files, err := s.files()
	if err != nil {
		return failed(s.obj, sourcev1.StorageOperationFailedCondition,
			skeleton.Retryf(sourcev1.ArchiveOperationFailedReason, "open checkout: %w", err))
	}
	matcher, err := ignore.NewFS(files, s.obj.Spec.Ignore)
	if err != nil {
		if lerr := tooManyLinked(s.obj, err); lerr != nil {
			return failed(s.obj, sourcev1.StorageOperationFailedCondition, lerr)
		}
		return failed(s.obj, sourcev1.StorageOperationFailedCondition,
			skeleton.Retryf(sourcev1.ArchiveOperationFailedReason, "read ignore rules: %w", err))
	}
	artifact, err := r.Storage.NewArtifact(sourcev1.GitRepositoryKind, s.obj.Namespace, s.obj.Name,
		s.commit.Revision, s.commit.Hash+".tar.gz")
	if err != nil {
		return failed(s.obj, sourcev1.StorageOperationFailedCondition,
			skeleton.Retry(sourcev1.InvalidPathReason, err))
	}
	unlock := r.Storage.Lock(artifact)
	defer unlock()
	if err := r.Storage.ArchiveFS(&artifact, files, matcher.Excluded, matcher.Pruned); err != nil {
		if lerr := tooManyLinked(s.obj, err); lerr != nil {
			return failed(s.obj, sourcev1.StorageOperationFailedCondition, lerr)
		}
		return failed(s.obj, sourcev1.StorageOperationFailedCondition, skeleton.Retryf(
			sourcev1.ArchiveOperationFailedReason, "write artifact: %w: check that --storage-path is writable", err))
	}
	r.record(s, artifact)
	ctrl.LoggerFrom(ctx).Info("stored artifact", "revision", artifact.Revision, "digest", artifact.Digest)
	return nil
}

// record writes the new artifact and what it was built from into status.
func (r *Reconciler) record(s *scope, artifact meta.Artifact) {
	st := &s.obj.Status
	st.Artifact = &artifact
	st.IncludedArtifacts = nil
	for _, inc := range s.includes {
		st.IncludedArtifacts = append(st.IncludedArtifacts, inc.artifact.DeepCopy())
	}
	st.ObservedIgnore = s.obj.Spec.Ignore
	st.ObservedRecurseSubmodules = s.obj.Spec.RecurseSubmodules
	st.ObservedInclude = s.obj.Spec.Include
	st.ObservedSparseCheckout = s.obj.Spec.SparseCheckout
	conditions.Delete(s.obj, sourcev1.ArtifactOutdatedCondition)
	conditions.Delete(s.obj, sourcev1.StorageOperationFailedCondition)
	conditions.MarkTrue(s.obj, sourcev1.ArtifactInStorageCondition, meta.SucceededReason,
		"stored artifact for revision '%s'", artifact.Revision)
}
