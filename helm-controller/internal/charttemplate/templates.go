package charttemplate

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
)

// accessDeniedReason is Flux's reason for a reference
// --no-cross-namespace-refs forbids.
const accessDeniedReason = "AccessDenied"

// Labels Flux puts on the objects a HelmRelease makes, naming their owner
// (there is no owner reference: the object may live in another namespace).
var (
	OwnerNameLabel      = helmv2.GroupVersion.Group + "/name"
	OwnerNamespaceLabel = helmv2.GroupVersion.Group + "/namespace"
)

// The controller writes the sources of spec.chart.
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=helmcharts;ocirepositories,verbs=get;list;watch;create;update;patch;delete

// Templates creates, updates and deletes the chart sources of HelmReleases'
// spec.chart.
type Templates struct {
	// Client writes the sources; a direct or cached client both work.
	Client client.Client
	// FieldManager owns the fields applied (the controller's name).
	FieldManager string
	// NoCrossNamespaceRefs refuses a template whose HelmChart would live
	// in another namespace than the HelmRelease (--no-cross-namespace-refs).
	NoCrossNamespaceRefs bool
}

// New returns Templates applying as fieldManager.
func New(c client.Client, fieldManager string, noCrossNamespaceRefs bool) *Templates {
	return &Templates{Client: c, FieldManager: fieldManager, NoCrossNamespaceRefs: noCrossNamespaceRefs}
}

// Reconcile brings the chart source of obj's spec.chart in step with the
// template and records it in obj.Status.HelmChart. It is safe to call for
// any HelmRelease: the source recorded in status.helmChart is deleted first
// when it is no longer the one the spec asks for (spec.chartRef instead of
// spec.chart, or another name, namespace or kind), and a HelmRelease being
// deleted only has its source deleted.
func (t *Templates) Reconcile(ctx context.Context, obj *helmv2.HelmRelease) error {
	want := obj.GetHelmChartTemplateReference()
	if had := obj.Status.GetHelmChartReference(); had != nil && (!had.Matches(want) || !obj.DeletionTimestamp.IsZero()) {
		if err := t.deleteRecorded(ctx, obj); err != nil {
			return err
		}
	}
	if want == nil || !obj.DeletionTimestamp.IsZero() {
		return nil
	}
	if t.NoCrossNamespaceRefs && want.Namespace != obj.Namespace {
		return skeleton.Stall(accessDeniedReason,
			"cross-namespace references are disabled on this controller (--no-cross-namespace-refs): "+
				"spec.chart.spec.sourceRef.namespace '%s' must be the HelmRelease's namespace '%s'", want.Namespace, obj.Namespace)
	}
	desired, err := build(obj, want)
	if err != nil {
		return err
	}
	action, err := t.apply(ctx, desired, newSource(want.Kind))
	if err != nil {
		return fmt.Errorf("could not apply %s '%s/%s' of spec.chart: %w", want.Kind, want.Namespace, want.Name, err)
	}
	if action != "" {
		ctrl.LoggerFrom(ctx).Info(fmt.Sprintf("%s %s '%s/%s' from spec.chart", action, want.Kind, want.Namespace, want.Name))
	}
	obj.Status.SetChart(want)
	return nil
}

// Delete deletes the chart source obj's spec.chart made (the one status
// records, else the one the spec names) and clears status.helmChart. A
// source already gone is not an error.
func (t *Templates) Delete(ctx context.Context, obj *helmv2.HelmRelease) error {
	if obj.Status.HelmChart == "" {
		ref := obj.GetHelmChartTemplateReference()
		if ref == nil {
			return nil
		}
		obj.Status.SetChart(ref)
	}
	return t.deleteRecorded(ctx, obj)
}

// deleteRecorded deletes the source status.helmChart names, then forgets
// it.
func (t *Templates) deleteRecorded(ctx context.Context, obj *helmv2.HelmRelease) error {
	ref := obj.Status.GetHelmChartReference()
	if ref == nil {
		obj.Status.HelmChart = ""
		return nil
	}
	src := newSource(ref.Kind)
	if src == nil {
		// Not a kind a template makes: nothing of ours to delete.
		obj.Status.HelmChart = ""
		return nil
	}
	src.SetNamespace(ref.Namespace)
	src.SetName(ref.Name)
	err := t.Client.Delete(ctx, src)
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return fmt.Errorf("could not delete %s '%s/%s' made from spec.chart: %w", ref.Kind, ref.Namespace, ref.Name, err)
	default:
		ctrl.LoggerFrom(ctx).Info(fmt.Sprintf("deleted %s '%s/%s' made from spec.chart", ref.Kind, ref.Namespace, ref.Name))
	}
	obj.Status.HelmChart = ""
	return nil
}

// newSource returns an empty object of a kind a template makes, nil for
// another kind.
func newSource(kind string) client.Object {
	switch kind {
	case sourcev1.HelmChartKind:
		return &sourcev1.HelmChart{}
	case sourcev1.OCIRepositoryKind:
		return &sourcev1.OCIRepository{}
	default:
		return nil
	}
}
