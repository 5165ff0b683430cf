package helmrender

import (
	"context"
	"fmt"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/helm-controller/chartfetch"
	"github.com/tidegitops/tide/helm-controller/naming"
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
		version, _, err := naming.OCIChartVersion(ch.Metadata.Version, artifact.Revision)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		ch.Metadata.Version = version
	}
	return ch, nil
}
