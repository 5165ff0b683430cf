package helmrepository

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
)

// store writes the parsed index as the new artifact (JSON, as Flux stores
// it: YAML readers read it too; compact, unlike Flux's indented JSON, as
// it is a third smaller and quicker for the HelmCharts to parse), points index.yaml at it and records it in
// status. Storage writes are atomic: a failure leaves the previous
// artifact served.
func (r *Reconciler) store(ctx context.Context, s *scope) error {
	if s.upToDate {
		markStored(s.obj)
		return nil
	}
	data, err := json.Marshal(s.index)
	if err != nil {
		return failed(s.obj, sourcev1.StorageOperationFailedCondition,
			skeleton.Retryf(sourcev1.ArchiveOperationFailedReason, "encode index: %w", err))
	}
	artifact, err := r.Storage.NewArtifact(sourcev1.HelmRepositoryKind, s.obj.Namespace, s.obj.Name,
		s.revision, "index-"+strings.TrimPrefix(s.revision, "sha256:")+".yaml")
	if err != nil {
		return failed(s.obj, sourcev1.StorageOperationFailedCondition, skeleton.Retry(sourcev1.InvalidPathReason, err))
	}
	unlock := r.Storage.Lock(artifact)
	defer unlock()
	if err := r.Storage.Store(&artifact, bytes.NewReader(data)); err != nil {
		return failed(s.obj, sourcev1.StorageOperationFailedCondition, skeleton.Retryf(sourcev1.ArchiveOperationFailedReason,
			"write artifact: %w: check that --storage-path is writable", err))
	}
	link, err := r.Storage.Symlink(artifact, indexLink)
	if err != nil {
		// The artifact is stored and recorded; only the stable link lags.
		ctrl.LoggerFrom(ctx).Error(err, "update the index.yaml link")
		r.Skeleton.Events.Eventf(s.obj, nil, corev1.EventTypeWarning, sourcev1.SymlinkUpdateFailedReason, "Store",
			"update the index.yaml link: %s", err.Error())
	} else {
		s.obj.Status.URL = link
	}
	s.obj.Status.Artifact = &artifact
	r.etags.record(s.obj, s.etag, s.revision)
	if r.Indexes != nil {
		r.Indexes.Put(artifact.Digest, s.index)
	}
	s.stored = *artifact.Size
	markStored(s.obj)
	ctrl.LoggerFrom(ctx).Info("stored artifact", "revision", artifact.Revision, "digest", artifact.Digest, "size", s.stored)
	return nil
}

func markStored(obj *sourcev1.HelmRepository) {
	conditions.Delete(obj, sourcev1.ArtifactOutdatedCondition)
	conditions.Delete(obj, sourcev1.StorageOperationFailedCondition)
	conditions.MarkTrue(obj, sourcev1.ArtifactInStorageCondition, meta.SucceededReason,
		"stored artifact: revision '%s'", obj.Status.Artifact.Revision)
}

// redacted is u without a password, for messages.
func redacted(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return "spec.url"
	}
	return parsed.Redacted()
}
