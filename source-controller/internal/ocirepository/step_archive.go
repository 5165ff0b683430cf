package ocirepository

import (
	"context"
	"os"
	"path"
	"path/filepath"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/ignore"
)

// archive writes the pulled layer as the new artifact, at Flux's path
// ocirepository/<namespace>/<name>/<digest>.tar.gz: the extracted files
// filtered by the ignore rules (operation extract), or the layer as it is
// (copy). Storage writes are atomic, so a failure here leaves the previous
// artifact served.
func (r *Reconciler) archive(ctx context.Context, s *scope) error {
	if s.upToDate {
		conditions.Delete(s.obj, sourcev1.ArtifactOutdatedCondition)
		markStored(s.obj)
		return nil
	}
	artifact, err := r.Storage.NewArtifact(sourcev1.OCIRepositoryKind, s.obj.Namespace, s.obj.Name,
		s.revision, s.digest()+".tar.gz")
	if err != nil {
		return failed(s.obj, sourcev1.StorageOperationFailedCondition, skeleton.Retry(sourcev1.InvalidPathReason, err))
	}
	unlock := r.Storage.Lock(artifact)
	defer unlock()
	if s.layerFile != "" {
		err = r.store(&artifact, s.layerFile)
	} else {
		err = r.archiveDir(&artifact, filepath.Join(s.workDir, "content"), s.obj.Spec.Ignore)
	}
	if err != nil {
		return failed(s.obj, sourcev1.StorageOperationFailedCondition, skeleton.Retryf(
			sourcev1.ArchiveOperationFailedReason, "unable to archive artifact to storage: %w: check that --storage-path is writable", err))
	}
	artifact.Metadata = s.annotations
	r.record(s, artifact)
	ctrl.LoggerFrom(ctx).Info("stored artifact", "revision", artifact.Revision, "digest", artifact.Digest)
	// status.url, Flux's stable address of the latest artifact, is best
	// effort as in Flux: the artifact itself is stored and recorded.
	if url, err := r.Storage.Symlink(artifact, latestLink); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "failed to update the latest artifact link")
		r.Skeleton.Events.Eventf(s.obj, nil, corev1.EventTypeWarning, sourcev1.SymlinkUpdateFailedReason, "Archive",
			"failed to update status URL symlink: %s", err.Error())
	} else {
		s.obj.Status.URL = url
	}
	return nil
}

// archiveDir archives the extracted layer without what the ignore rules
// (spec.ignore, .sourceignore files, Flux's defaults) leave out.
func (r *Reconciler) archiveDir(artifact *meta.Artifact, dir string, spec *string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil { // a layer of no entries
		return err
	}
	matcher, err := ignore.New(dir, spec)
	if err != nil {
		return err
	}
	return r.Storage.Archive(artifact, dir, matcher.Excluded)
}

// store copies the layer file into storage as it is.
func (r *Reconciler) store(artifact *meta.Artifact, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	return r.Storage.Store(artifact, f)
}

// record writes the new artifact and what it was built from into status.
func (r *Reconciler) record(s *scope, artifact meta.Artifact) {
	st := &s.obj.Status
	st.Artifact = &artifact
	st.ObservedIgnore = s.obj.Spec.Ignore
	st.ObservedLayerSelector = s.obj.Spec.LayerSelector.DeepCopy()
	conditions.Delete(s.obj, sourcev1.ArtifactOutdatedCondition)
	conditions.Delete(s.obj, sourcev1.StorageOperationFailedCondition)
	markStored(s.obj)
}

func markStored(obj *sourcev1.OCIRepository) {
	conditions.MarkTrue(obj, sourcev1.ArtifactInStorageCondition, meta.SucceededReason,
		"stored artifact for digest '%s'", obj.Status.Artifact.Revision)
}

// latestLink names the link to the current artifact that status.url
// gives, as in Flux.
const latestLink = "latest.tar.gz"

// latestURL is status.url, with the current advertised address.
func (r *Reconciler) latestURL(obj *sourcev1.OCIRepository) string {
	if obj.Status.Artifact == nil || obj.Status.URL == "" {
		return obj.Status.URL
	}
	return r.Storage.URL(path.Join(path.Dir(obj.Status.Artifact.Path), latestLink))
}
