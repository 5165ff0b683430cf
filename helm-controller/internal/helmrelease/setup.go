package helmrelease

import (
	"context"

	"github.com/fluxcd/pkg/runtime/conditions"
	"github.com/fluxcd/pkg/runtime/predicates"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

const (
	// sourceIndex indexes HelmReleases by the chart source they release.
	sourceIndex = ".metadata.source"
	// dependsOnIndex indexes HelmReleases by every HelmRelease they depend on.
	dependsOnIndex = ".spec.dependsOn"
)

// SetupWithManager registers the reconciler. Besides HelmReleases it
// watches HelmCharts and OCIRepositories, so that a new chart artifact is
// released at once, HelmReleases turning Ready, so that their dependents
// go ahead at once, and with WatchConfigs the ConfigMaps and Secrets of
// valuesFrom (configs.go).
func (r *Reconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager, opts controller.Options) error {
	indexer := mgr.GetFieldIndexer()
	if err := indexer.IndexField(ctx, &helmv2.HelmRelease{}, sourceIndex, indexSource); err != nil {
		return err
	}
	if err := indexer.IndexField(ctx, &helmv2.HelmRelease{}, dependsOnIndex, indexDependsOn); err != nil {
		return err
	}
	b := ctrl.NewControllerManagedBy(mgr).
		For(&helmv2.HelmRelease{}, builder.WithPredicates(
			predicate.Or(predicate.GenerationChangedPredicate{}, predicates.ReconcileRequestedPredicate{}))).
		Watches(&sourcev1.HelmChart{}, handler.EnqueueRequestsFromMapFunc(r.listBy(sourceIndex, sourceKeyOf(sourcev1.HelmChartKind))),
			builder.WithPredicates(artifactChanged{})).
		Watches(&sourcev1.OCIRepository{}, handler.EnqueueRequestsFromMapFunc(r.listBy(sourceIndex, sourceKeyOf(sourcev1.OCIRepositoryKind))),
			builder.WithPredicates(artifactChanged{})).
		Watches(&helmv2.HelmRelease{}, handler.EnqueueRequestsFromMapFunc(r.listBy(dependsOnIndex, namespacedName)),
			builder.WithPredicates(becameReady{}))
	if r.WatchConfigs {
		var err error
		if b, err = r.watchConfigs(ctx, mgr, b); err != nil {
			return err
		}
	}
	return b.WithOptions(opts).Complete(r)
}

func sourceKeyOf(kind string) func(client.Object) string {
	return func(o client.Object) string { return kind + "/" + o.GetNamespace() + "/" + o.GetName() }
}

func namespacedName(o client.Object) string { return o.GetNamespace() + "/" + o.GetName() }

func indexSource(o client.Object) []string {
	obj := o.(*helmv2.HelmRelease)
	ref := obj.GetHelmChartReference()
	if obj.Spec.Chart != nil {
		ref = obj.GetHelmChartTemplateReference()
	}
	if ref == nil {
		return nil
	}
	return []string{ref.Kind + "/" + ref.Namespace + "/" + ref.Name}
}

func indexDependsOn(o client.Object) []string {
	obj := o.(*helmv2.HelmRelease)
	keys := make([]string, 0, len(obj.Spec.DependsOn))
	for _, d := range obj.Spec.DependsOn {
		ns := d.Namespace
		if ns == "" {
			ns = obj.Namespace
		}
		keys = append(keys, ns+"/"+d.Name)
	}
	return keys
}

// listBy maps an object to the HelmReleases that name it in index.
func (r *Reconciler) listBy(index string, keyOf func(client.Object) string) handler.MapFunc {
	return func(ctx context.Context, obj client.Object) []reconcile.Request {
		var list helmv2.HelmReleaseList
		if err := r.List(ctx, &list, client.MatchingFields{index: keyOf(obj)}); err != nil {
			ctrl.LoggerFrom(ctx).Error(err, "list HelmReleases by index", "index", index)
			return nil
		}
		reqs := make([]reconcile.Request, 0, len(list.Items))
		for _, item := range list.Items {
			reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: item.Namespace, Name: item.Name}})
		}
		return reqs
	}
}

// artifactChanged passes source updates whose artifact changed, and new
// sources that already have one.
type artifactChanged struct{ predicate.Funcs }

func (artifactChanged) Update(e event.UpdateEvent) bool {
	newSrc, ok1 := e.ObjectNew.(chartSource)
	oldSrc, ok2 := e.ObjectOld.(chartSource)
	if !ok1 || !ok2 || newSrc.GetArtifact() == nil {
		return false
	}
	before, after := oldSrc.GetArtifact(), newSrc.GetArtifact()
	return before == nil || before.Digest != after.Digest || before.Revision != after.Revision
}

func (artifactChanged) Create(e event.CreateEvent) bool {
	src, ok := e.Object.(chartSource)
	return ok && src.GetArtifact() != nil
}

// becameReady passes HelmRelease updates that turned Ready=True.
type becameReady struct{ predicate.Funcs }

func (becameReady) Update(e event.UpdateEvent) bool {
	before, ok1 := e.ObjectOld.(*helmv2.HelmRelease)
	after, ok2 := e.ObjectNew.(*helmv2.HelmRelease)
	return ok1 && ok2 && conditions.IsReady(after) && !conditions.IsReady(before)
}

func (becameReady) Create(event.CreateEvent) bool { return false }
