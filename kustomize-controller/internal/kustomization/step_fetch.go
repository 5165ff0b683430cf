package kustomization

import (
	"context"
	"errors"
	"net/url"
	"os"
	"time"

	"github.com/fluxcd/pkg/apis/meta"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/kustomize-controller/internal/artifact"
	"github.com/tidegitops/tide/skeleton"
)

// fetch gets the artifact's unpacked content from the shared cache, which
// downloads it and checks its digest only the first time any Kustomization
// asks for it. A wait for a download that fails (the source-controller is
// unreachable, e.g. while it replaces Flux's) ends as soon as the source
// has another artifact: that one is fetched at once instead.
func (r *Reconciler) fetch(ctx context.Context, s *scope) error {
	fetchCtx, stop := r.untilReplaced(ctx, s)
	root, release, err := r.Artifacts.Get(fetchCtx, artifactURL(s.artifact.URL), s.artifact.Digest)
	stop()
	switch {
	case err != nil && errors.Is(context.Cause(fetchCtx), errArtifactReplaced):
		return skeleton.Wait(time.Millisecond, meta.ProgressingReason,
			"revision %s: the source has a new artifact; fetching it instead", s.artifact.Revision)
	case errors.Is(err, artifact.ErrUnsafeArchive), errors.Is(err, artifact.ErrTooLarge):
		// The content itself is refused: only a new revision can help.
		return retryLater(s.obj, kustomizev1.ArtifactFailedReason, "revision %s: %s", s.artifact.Revision, err)
	case err != nil:
		return skeleton.Retryf(kustomizev1.ArtifactFailedReason, "revision %s: %w", s.artifact.Revision, err)
	}
	s.root, s.release = root, release
	return nil
}

// errArtifactReplaced ends a fetch whose artifact the source no longer has.
var errArtifactReplaced = errors.New("the source has a new artifact")

// artifactPollInterval is how often a waiting fetch reads the source (from
// the cache) to see whether its artifact was replaced.
const artifactPollInterval = time.Second

// untilReplaced returns a context that ends with errArtifactReplaced once
// the source's artifact digest is no longer the one being fetched.
func (r *Reconciler) untilReplaced(ctx context.Context, s *scope) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		tick := time.NewTicker(artifactPollInterval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if a, err := r.currentArtifact(ctx, s.obj); err == nil && a != nil && a.Digest != s.artifact.Digest {
					cancel(errArtifactReplaced)
					return
				}
			}
		}
	}()
	return ctx, func() { cancel(nil) }
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
