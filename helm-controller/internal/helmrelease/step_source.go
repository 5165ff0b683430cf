package helmrelease

import (
	"context"
	"fmt"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
)

// sourceNotReadyReason: the chart source has no artifact for this
// HelmRelease yet (Flux's reason).
const sourceNotReadyReason = "SourceNotReady"

// chartSource is what the reconciler needs of a HelmChart or an
// OCIRepository: its conditions and its artifact.
type chartSource interface {
	client.Object
	conditions.Getter
	GetArtifact() *meta.Artifact
}

// resolveSource finds the chart source, through spec.chart (the HelmChart
// made from the template, kept in step with it first) or spec.chartRef,
// and waits until it has an artifact. A source that is missing or not
// ready is waited for: it may be on its way.
func (r *Reconciler) resolveSource(ctx context.Context, s *scope) error {
	obj := s.obj
	// The templates also delete a HelmChart left by an earlier spec.chart.
	if r.Templates != nil {
		if err := r.Templates.Reconcile(ctx, obj); err != nil {
			return err
		}
	}
	ref := obj.GetHelmChartReference()
	if obj.Spec.Chart != nil {
		ref = obj.GetHelmChartTemplateReference()
	}
	if r.NoCrossNamespaceRefs && ref.Namespace != obj.Namespace {
		return skeleton.Stall(accessDeniedReason,
			"cross-namespace references are disabled on this controller (--no-cross-namespace-refs): "+
				"%s '%s/%s' must be in namespace '%s'", ref.Kind, ref.Namespace, ref.Name, obj.Namespace)
	}
	var src chartSource
	switch ref.Kind {
	case sourcev1.HelmChartKind:
		src = &sourcev1.HelmChart{}
	case sourcev1.OCIRepositoryKind:
		src = &sourcev1.OCIRepository{}
	default:
		return skeleton.Stall(invalidSpecReason, "chart source kind '%s' is not supported: use HelmChart or OCIRepository", ref.Kind)
	}
	if err := r.Get(ctx, ref.GetObjectKey(), src); err != nil {
		if apierrors.IsNotFound(err) {
			return skeleton.Wait(r.DependencyRequeue, helmv2.ArtifactFailedReason,
				"%s '%s/%s' not found: create it or fix the chart reference", ref.Kind, ref.Namespace, ref.Name)
		}
		return skeleton.Retry(helmv2.ArtifactFailedReason, fmt.Errorf("could not get %s '%s/%s': %w", ref.Kind, ref.Namespace, ref.Name, err))
	}
	artifact := src.GetArtifact()
	if artifact == nil {
		why := "it has no artifact yet"
		if msg := conditions.GetMessage(src, meta.ReadyCondition); msg != "" && !conditions.IsReady(src) {
			why = msg
		}
		return skeleton.Wait(r.DependencyRequeue, sourceNotReadyReason,
			"%s '%s/%s' is not ready: %s", ref.Kind, ref.Namespace, ref.Name, why)
	}
	s.artifact = artifact.DeepCopy()
	s.sourceKind = ref.Kind
	return nil
}
