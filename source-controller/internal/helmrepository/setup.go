package helmrepository

import (
	"context"

	"github.com/fluxcd/pkg/runtime/predicates"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/source-controller/internal/helmrepo"
)

// secretsIndex indexes HelmRepositories by every Secret they name.
const secretsIndex = ".spec.secretNames"

// SetupWithManager registers the reconciler. Besides its own objects it
// watches Secrets (metadata only, so no Secret is cached) so that fixing
// a referenced Secret reconciles at once.
func (r *Reconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager, opts controller.Options) error {
	if err := mgr.GetFieldIndexer().IndexField(ctx, &sourcev1.HelmRepository{}, secretsIndex, func(o client.Object) []string {
		return helmrepo.SecretNames(o.(*sourcev1.HelmRepository))
	}); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&sourcev1.HelmRepository{}, builder.WithPredicates(
			predicate.Or(predicate.GenerationChangedPredicate{}, predicates.ReconcileRequestedPredicate{}))).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.usersOf)).
		WithOptions(opts).
		Complete(r)
}

// usersOf maps a Secret to the HelmRepositories of its namespace naming it.
func (r *Reconciler) usersOf(ctx context.Context, obj client.Object) []reconcile.Request {
	var list sourcev1.HelmRepositoryList
	if err := r.List(ctx, &list, client.InNamespace(obj.GetNamespace()),
		client.MatchingFields{secretsIndex: obj.GetName()}); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "list HelmRepositories by Secret")
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(list.Items))
	for _, item := range list.Items {
		if item.IsOCI() {
			continue // static: its Secrets are read by the HelmCharts
		}
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: item.Namespace, Name: item.Name}})
	}
	return reqs
}
