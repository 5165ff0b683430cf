package helmchart

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/fluxcd/pkg/runtime/conditions"
	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
)

// latestLink is the file in the object's storage folder pointing at its
// current chart, as Flux names it: status.url is its stable address.
const latestLink = "latest.tar.gz"

// store writes the built chart as the new artifact and records it in
// status. The write is atomic, so a failure leaves the previous artifact
// served.
func (r *Reconciler) store(ctx context.Context, s *scope) error {
	if s.upToDate {
		r.recordInStorage(s)
		return nil
	}
	if a := s.obj.Status.Artifact; a != nil {
		conditions.MarkTrue(s.obj, sourcev1.ArtifactOutdatedCondition, "NewChart",
			"%s", fmt.Sprintf("building chart '%s' version '%s' over '%s'", s.name, s.version, a.Revision))
	}
	artifact, err := r.Storage.NewArtifact(sourcev1.HelmChartKind, s.obj.Namespace, s.obj.Name,
		s.version, fmt.Sprintf("%s-%s.tgz", s.name, s.version))
	if err != nil {
		return failed(s.obj, sourcev1.StorageOperationFailedCondition, skeleton.Retry(sourcev1.InvalidPathReason, err))
	}
	var src io.Reader
	if s.chartFile != "" {
		f, err := os.Open(s.chartFile)
		if err != nil {
			return failed(s.obj, sourcev1.StorageOperationFailedCondition, skeleton.Retry(sourcev1.ArchiveOperationFailedReason, err))
		}
		defer f.Close()
		src = f
	} else {
		src = bytes.NewReader(s.chartData)
	}
	unlock := r.Storage.Lock(artifact)
	defer unlock()
	if err := r.Storage.Store(&artifact, src); err != nil {
		return failed(s.obj, sourcev1.StorageOperationFailedCondition, skeleton.Retryf(sourcev1.ArchiveOperationFailedReason,
			"write artifact: %w: check that --storage-path is writable", err))
	}
	s.obj.Status.Artifact = &artifact
	if link, err := r.Storage.Symlink(artifact, latestLink); err != nil {
		// The artifact is stored and recorded; only the stable link lags.
		ctrl.LoggerFrom(ctx).Error(err, "update the "+latestLink+" link")
		r.Skeleton.Events.Eventf(s.obj, nil, corev1.EventTypeWarning, sourcev1.SymlinkUpdateFailedReason, "Store",
			"update the %s link: %s", latestLink, err.Error())
	} else {
		s.obj.Status.URL = link
	}
	recordBuild(s)
	r.recordInStorage(s)
	ctrl.LoggerFrom(ctx).Info("stored artifact", "revision", artifact.Revision, "digest", artifact.Digest)
	return nil
}

func (r *Reconciler) recordInStorage(s *scope) {
	conditions.Delete(s.obj, sourcev1.ArtifactOutdatedCondition)
	conditions.Delete(s.obj, sourcev1.StorageOperationFailedCondition)
	msg := s.success()
	conditions.MarkTrue(s.obj, sourcev1.ArtifactInStorageCondition, msg.Reason, "%s", msg.Message)
}
