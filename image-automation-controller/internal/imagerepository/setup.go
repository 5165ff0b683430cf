package imagerepository

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

	imagev1 "github.com/tidegitops/tide/api/image/v1"
)

// secretsIndex indexes ImageRepositories by every Secret they name.
const secretsIndex = ".spec.secretNames"

// SetupWithManager registers the reconciler. Besides its own objects
// (new generations and reconcile requests) it watches Secrets, metadata
// only, so that fixing a Secret a repository names rescans at once.
func (r *Reconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager, opts controller.Options) error {
	if err := mgr.GetFieldIndexer().IndexField(ctx, &imagev1.ImageRepository{}, secretsIndex, secretNames); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&imagev1.ImageRepository{}, builder.WithPredicates(
			predicate.Or(predicate.GenerationChangedPredicate{}, predicates.ReconcileRequestedPredicate{}))).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.usersOf)).
		WithOptions(opts).
		Complete(r)
}

// usersOf maps a Secret to the ImageRepositories of its namespace that
// name it.
func (r *Reconciler) usersOf(ctx context.Context, obj client.Object) []reconcile.Request {
	var list imagev1.ImageRepositoryList
	if err := r.List(ctx, &list, client.InNamespace(obj.GetNamespace()),
		client.MatchingFields{secretsIndex: obj.GetName()}); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "list ImageRepositories by Secret")
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(list.Items))
	for _, item := range list.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: item.Namespace, Name: item.Name}})
	}
	return reqs
}

func secretNames(obj client.Object) []string {
	repo := obj.(*imagev1.ImageRepository)
	var names []string
	if ref := repo.Spec.SecretRef; ref != nil {
		names = append(names, ref.Name)
	}
	if ref := repo.Spec.CertSecretRef; ref != nil {
		names = append(names, ref.Name)
	}
	if ref := repo.Spec.ProxySecretRef; ref != nil {
		names = append(names, ref.Name)
	}
	return names
}
