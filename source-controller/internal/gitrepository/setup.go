package gitrepository

import (
	"context"

	"github.com/fluxcd/pkg/runtime/predicates"
	corev1 "k8s.io/api/core/v1"
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
	// secretsIndex indexes GitRepositories by every Secret they name.
	secretsIndex = ".spec.secretNames"
	// includesIndex indexes GitRepositories by every GitRepository they include.
	includesIndex = ".spec.include.names"
)

// SetupWithManager registers the reconciler. Besides its own objects it
// watches Secrets (metadata only, so no Secret is cached) so that fixing a
// referenced Secret reconciles at once, and GitRepositories whose artifact
// changed, so that those including them rebuild.
func (r *Reconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager, opts controller.Options) error {
	indexer := mgr.GetFieldIndexer()
	if err := indexer.IndexField(ctx, &sourcev1.GitRepository{}, secretsIndex, secretNames); err != nil {
		return err
	}
	if err := indexer.IndexField(ctx, &sourcev1.GitRepository{}, includesIndex, includeNames); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&sourcev1.GitRepository{}, builder.WithPredicates(
			predicate.Or(predicate.GenerationChangedPredicate{}, predicates.ReconcileRequestedPredicate{}))).
		Watches(&sourcev1.GitRepository{},
			handler.EnqueueRequestsFromMapFunc(r.usersOf(includesIndex)),
			builder.WithPredicates(artifactChanged{})).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.usersOf(secretsIndex))).
		WithOptions(opts).
		Complete(r)
}

// usersOf maps an object to the GitRepositories of its namespace that name
// it in the given index.
func (r *Reconciler) usersOf(index string) handler.MapFunc {
	return func(ctx context.Context, obj client.Object) []reconcile.Request {
		var list sourcev1.GitRepositoryList
		if err := r.List(ctx, &list, client.InNamespace(obj.GetNamespace()),
			client.MatchingFields{index: obj.GetName()}); err != nil {
			ctrl.LoggerFrom(ctx).Error(err, "list GitRepositories by index", "index", index)
			return nil
		}
		reqs := make([]reconcile.Request, 0, len(list.Items))
		for _, item := range list.Items {
			reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: item.Namespace, Name: item.Name}})
		}
		return reqs
	}
}

func secretNames(obj client.Object) []string {
	repo := obj.(*sourcev1.GitRepository)
	var names []string
	if ref := repo.Spec.SecretRef; ref != nil {
		names = append(names, ref.Name)
	}
	if ref := repo.Spec.ProxySecretRef; ref != nil {
		names = append(names, ref.Name)
	}
	if v := repo.Spec.Verification; v != nil {
		names = append(names, v.SecretRef.Name)
	}
	return names
}

func includeNames(obj client.Object) []string {
	repo := obj.(*sourcev1.GitRepository)
	names := make([]string, 0, len(repo.Spec.Include))
	for _, inc := range repo.Spec.Include {
		names = append(names, inc.GitRepositoryRef.Name)
	}
	return names
}

// artifactChanged passes updates that changed a GitRepository's artifact.
type artifactChanged struct {
	predicate.Funcs
}

func (artifactChanged) Update(e event.UpdateEvent) bool {
	oldRepo, ok1 := e.ObjectOld.(*sourcev1.GitRepository)
	newRepo, ok2 := e.ObjectNew.(*sourcev1.GitRepository)
	if !ok1 || !ok2 || newRepo.Status.Artifact == nil {
		return false
	}
	return oldRepo.Status.Artifact == nil || oldRepo.Status.Artifact.Digest != newRepo.Status.Artifact.Digest
}

func (artifactChanged) Create(event.CreateEvent) bool   { return false }
func (artifactChanged) Delete(event.DeleteEvent) bool   { return false }
func (artifactChanged) Generic(event.GenericEvent) bool { return false }
