package helmrelease

import (
	"fmt"

	"github.com/fluxcd/pkg/apis/meta"
	"helm.sh/helm/v4/pkg/action"
	chart "helm.sh/helm/v4/pkg/chart/v2"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/helm-controller/internal/release"
	"github.com/tidegitops/tide/skeleton"
)

// scope carries what one reconciliation learned from step to step.
type scope struct {
	obj *helmv2.HelmRelease

	// artifact is the chart source's artifact (source step), and
	// sourceKind the source's kind.
	artifact   *meta.Artifact
	sourceKind string
	// values are the composed values and configDigest their digest
	// (values step).
	values       map[string]any
	configDigest string
	// chart is the loaded chart; ociDigest the OCI digest its version
	// carries when it came from an OCIRepository (fetch step).
	chart     *chart.Chart
	ociDigest string
	// target is the release and cfg Helm's configuration for it (target
	// step).
	target release.Target
	cfg    *action.Configuration

	// ready is Ready=True's reason and message, from the release's
	// conditions (release step).
	ready skeleton.Success
	// stalledReason is Stalled's reason when the retries are used up.
	stalledReason string
	// retryByDefault is the DefaultToRetryOnFailure gate.
	retryByDefault bool
}

func (s *scope) success() skeleton.Success {
	if s.ready.Reason == "" {
		return skeleton.Success{Reason: meta.ReconciliationSucceededReason, Message: "reconciliation succeeded"}
	}
	return s.ready
}

// chartVersion is the version being released, as history records it.
func (s *scope) chartVersion() string {
	if s.chart == nil || s.chart.Metadata == nil {
		return ""
	}
	return s.chart.Metadata.Version
}

// versionedChart is <name>@<version> of the chart being released.
func (s *scope) versionedChart() string {
	return fmt.Sprintf("%s@%s", s.chart.Name(), s.chartVersion())
}
