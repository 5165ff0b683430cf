package helmrelease

import (
	"context"
	"errors"
	"fmt"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/helm-controller/chartfetch"
	"github.com/tidegitops/tide/helm-controller/naming"
	"github.com/tidegitops/tide/skeleton"
)

// chartMutateErrorReason: an OCIRepository's revision does not fit the
// chart it serves (Flux's reason).
const chartMutateErrorReason = "ChartMutateError"

// fetchChart downloads the source's artifact, checks its digest and loads
// the chart. A chart from an OCIRepository gets the artifact's digest in
// its version (<version>+<12 hex digits>), as Flux does, so that a tag
// pushed again with new content is released.
func (r *Reconciler) fetchChart(ctx context.Context, s *scope) error {
	ch, err := r.Charts.Load(ctx, s.artifact.URL, s.artifact.Digest)
	switch {
	case errors.Is(err, chartfetch.ErrNotFound):
		return skeleton.Wait(r.DependencyRequeue, helmv2.ArtifactFailedReason,
			"Source not ready: %s; waiting for the source-controller to serve it", err)
	case errors.Is(err, chartfetch.ErrInvalidChart), errors.Is(err, chartfetch.ErrTooLarge):
		return skeleton.Wait(s.obj.Spec.Interval.Duration, helmv2.ArtifactFailedReason,
			"Could not load chart: %s: fix the chart in its source", err)
	case err != nil:
		return skeleton.Retry(helmv2.ArtifactFailedReason, fmt.Errorf("Could not load chart: %w", err))
	}
	s.chart = ch
	s.ociDigest = ""
	if s.sourceKind == sourcev1.OCIRepositoryKind {
		version, digest, err := naming.OCIChartVersion(ch.Metadata.Version, s.artifact.Revision)
		if err != nil {
			return skeleton.Wait(s.obj.Spec.Interval.Duration, chartMutateErrorReason, "%s", err)
		}
		ch.Metadata.Version = version
		s.ociDigest = digest
	}
	return nil
}
