package helmchart

import (
	"context"

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

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

const (
	// sourceIndex indexes HelmCharts by "<kind>/<name>" of their source.
	sourceIndex = ".spec.sourceRef.kindName"
	// repositoryURLIndex indexes HelmRepositories by normalized URL, to find
	// the credentials of a chart dependency's repository.
	repositoryURLIndex = ".spec.url.normalized"
)

// SetupWithManager registers the reconciler. Besides its own objects it
// watches GitRepositories and HelmRepositories, so that a new source
// artifact (or a changed HelmRepository of type oci) rebuilds the charts
// using it at once.
func (r *Reconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager, opts controller.Options) error {
	indexer := mgr.GetFieldIndexer()
	if err := indexer.IndexField(ctx, &sourcev1.HelmChart{}, sourceIndex, func(o client.Object) []string {
		ref := o.(*sourcev1.HelmChart).Spec.SourceRef
		return []string{ref.Kind + "/" + ref.Name}
	}); err != nil {
		return err
	}
	if err := indexer.IndexField(ctx, &sourcev1.HelmRepository{}, repositoryURLIndex, func(o client.Object) []string {
		return []string{normalizeURL(o.(*sourcev1.HelmRepository).Spec.URL)}
	}); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&sourcev1.HelmChart{}, builder.WithPredicates(
			predicate.Or(predicate.GenerationChangedPredicate{}, predicates.ReconcileRequestedPredicate{}))).
		Watches(&sourcev1.GitRepository{}, handler.EnqueueRequestsFromMapFunc(r.chartsOf(sourcev1.GitRepositoryKind)),
			builder.WithPredicates(sourceChanged{})).
		Watches(&sourcev1.HelmRepository{}, handler.EnqueueRequestsFromMapFunc(r.chartsOf(sourcev1.HelmRepositoryKind)),
			builder.WithPredicates(sourceChanged{})).
		WithOptions(opts).
		Complete(r)
}

// chartsOf maps a source to the HelmCharts of its namespace that use it.
func (r *Reconciler) chartsOf(kind string) handler.MapFunc {
	return func(ctx context.Context, obj client.Object) []reconcile.Request {
		var list sourcev1.HelmChartList
		if err := r.List(ctx, &list, client.InNamespace(obj.GetNamespace()),
			client.MatchingFields{sourceIndex: kind + "/" + obj.GetName()}); err != nil {
			ctrl.LoggerFrom(ctx).Error(err, "list HelmCharts by source", "source", kind+"/"+obj.GetName())
			return nil
		}
		reqs := make([]reconcile.Request, 0, len(list.Items))
		for _, item := range list.Items {
			reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: item.Namespace, Name: item.Name}})
		}
		return reqs
	}
}

// sourceChanged passes updates of a source whose artifact changed, and of
// a HelmRepository whose spec changed (one of type oci has no artifact:
// its URL and credentials are what the charts read).
type sourceChanged struct {
	predicate.Funcs
}

func (sourceChanged) Update(e event.UpdateEvent) bool {
	if e.ObjectOld.GetGeneration() != e.ObjectNew.GetGeneration() {
		_, isRepo := e.ObjectNew.(*sourcev1.HelmRepository)
		if isRepo {
			return true
		}
	}
	return artifactDigest(e.ObjectNew) != "" && artifactDigest(e.ObjectOld) != artifactDigest(e.ObjectNew)
}

func (sourceChanged) Create(event.CreateEvent) bool   { return true }
func (sourceChanged) Delete(event.DeleteEvent) bool   { return false }
func (sourceChanged) Generic(event.GenericEvent) bool { return false }

func artifactDigest(obj client.Object) string {
	switch o := obj.(type) {
	case *sourcev1.GitRepository:
		if o.Status.Artifact != nil {
			return o.Status.Artifact.Digest
		}
	case *sourcev1.HelmRepository:
		if o.Status.Artifact != nil {
			return o.Status.Artifact.Digest
		}
	}
	return ""
}
