package kustomization

import (
	"context"
	"errors"
	"net/url"
	"os"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/kustomize-controller/internal/artifact"
	"github.com/tidegitops/tide/skeleton"
)

// fetch gets the artifact's unpacked content from the shared cache, which
// downloads it and checks its digest only the first time any Kustomization
// asks for it.
func (r *Reconciler) fetch(ctx context.Context, s *scope) error {
	root, release, err := r.Artifacts.Get(ctx, artifactURL(s.artifact.URL), s.artifact.Digest)
	switch {
	case errors.Is(err, artifact.ErrUnsafeArchive), errors.Is(err, artifact.ErrTooLarge):
		// The content itself is refused: only a new revision can help.
		return retryLater(s.obj, kustomizev1.ArtifactFailedReason, "revision %s: %s", s.artifact.Revision, err)
	case err != nil:
		return skeleton.Retryf(kustomizev1.ArtifactFailedReason, "revision %s: %w", s.artifact.Revision, err)
	}
	s.root, s.release = root, release
	return nil
}

// artifactURL honours SOURCE_CONTROLLER_LOCALHOST as Flux does: when the
// controller runs outside the cluster, the source-controller's in-cluster
// host name is swapped for a local address (e.g. a port-forward).
func artifactURL(raw string) string {
	local := os.Getenv("SOURCE_CONTROLLER_LOCALHOST")
	if local == "" {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Host = local
	return u.String()
}
