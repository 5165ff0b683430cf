package helmrender

import (
	"context"
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/helm-controller/chartfetch"
)

// chartSource is what is needed of a HelmChart or an OCIRepository.
type chartSource interface {
	client.Object
	conditions.Getter
	GetArtifact() *meta.Artifact
}

// loadChart finds the chart source the controller would use (the HelmChart
// <namespace>-<name> it keeps for spec.chart, or spec.chartRef), downloads
// its artifact (through the apiserver when the URL names a Service of the
// cluster) and loads it, checked against the artifact's digest. A chart of
// an OCIRepository gets the digest in its version, as the controller gives
// it.
func loadChart(ctx context.Context, c client.Reader, config *rest.Config, hr *helmv2.HelmRelease) (*chart.Chart, error) {
	ref := hr.GetHelmChartReference()
	if hr.Spec.Chart != nil {
		ref = hr.GetHelmChartTemplateReference()
	}
	if ref == nil {
		return nil, fmt.Errorf("HelmRelease '%s/%s' has neither spec.chart nor spec.chartRef", hr.Namespace, hr.Name)
	}
	var src chartSource
	switch ref.Kind {
	case sourcev1.HelmChartKind:
		src = &sourcev1.HelmChart{}
	case sourcev1.OCIRepositoryKind:
		src = &sourcev1.OCIRepository{}
	default:
		return nil, fmt.Errorf("chart source kind '%s' is not supported: use HelmChart or OCIRepository", ref.Kind)
	}
	what := fmt.Sprintf("%s '%s/%s'", ref.Kind, ref.Namespace, ref.Name)
	if err := c.Get(ctx, ref.GetObjectKey(), src); err != nil {
		if apierrors.IsNotFound(err) {
			hint := "fix spec.chartRef"
			if hr.Spec.Chart != nil {
				hint = "the helm-controller creates it from spec.chart: is it running?"
			}
			return nil, fmt.Errorf("%s not found: %s", what, hint)
		}
		return nil, fmt.Errorf("get %s: %w", what, err)
	}
	artifact := src.GetArtifact()
	if artifact == nil {
		why := "it has no artifact yet"
		if msg := conditions.GetMessage(src, meta.ReadyCondition); msg != "" {
			why = msg
		}
		return nil, fmt.Errorf("%s is not ready: %s", what, why)
	}
	httpClient, err := artifactClient(config)
	if err != nil {
		return nil, err
	}
	fetcher := &chartfetch.Fetcher{Client: httpClient}
	ch, err := fetcher.Load(ctx, artifact.URL, artifact.Digest)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if ref.Kind == sourcev1.OCIRepositoryKind {
		version, err := ociVersion(ch.Metadata.Version, artifact.Revision)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		ch.Metadata.Version = version
	}
	return ch, nil
}

// ociVersion is the chart version the helm-controller releases a chart
// of an OCIRepository with: its version with the first 12 hex digits of
// the artifact's digest as build metadata. The revision is
// <tag>@<algorithm>:<hex> (the tag must be the chart's version) or a
// digest alone. (The controller's rule, in its fetch step; the CLI's
// tests compare both renders.)
func ociVersion(version, revision string) (string, error) {
	ver, err := semver.NewVersion(version)
	if err != nil {
		return "", fmt.Errorf("chart version '%s' is not semver: %w", version, err)
	}
	digest := revision
	if tag, d, ok := strings.Cut(revision, "@"); ok {
		tagVer, err := semver.NewVersion(tag)
		if err != nil || !tagVer.Equal(ver) {
			return "", fmt.Errorf("artifact revision %s does not match chart version %s: tag the artifact with the chart's version", tag, version)
		}
		digest = d
	}
	_, hexPart, ok := strings.Cut(digest, ":")
	if !ok || len(hexPart) < 12 {
		return "", fmt.Errorf("invalid artifact revision %s: want [<tag>@]<algorithm>:<digest>", revision)
	}
	withMeta, err := ver.SetMetadata(hexPart[:12])
	if err != nil {
		return "", err
	}
	return withMeta.String(), nil
}
