package gitrepository

import (
	"context"

	"github.com/fluxcd/pkg/runtime/predicates"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton/secretwatch"
)

// includesIndex indexes GitRepositories by every GitRepository they include.
const includesIndex = ".spec.include.names"

// SetupWithManager registers the reconciler. Besides its own objects it
// watches Secrets (metadata only, so no Secret is cached) so that fixing a
// referenced Secret reconciles at once, and GitRepositories whose artifact
// changed, so that those including them rebuild.
func (r *Reconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager, opts controller.Options) error {
	if err := mgr.GetFieldIndexer().IndexField(ctx, &sourcev1.GitRepository{}, includesIndex, includeNames); err != nil {
		return err
	}
	b := ctrl.NewControllerManagedBy(mgr).
		For(&sourcev1.GitRepository{}, builder.WithPredicates(
			predicate.Or(predicate.GenerationChangedPredicate{}, predicates.ReconcileRequestedPredicate{}))).
		Watches(&sourcev1.GitRepository{},
			handler.EnqueueRequestsFromMapFunc(secretwatch.UsersOf[sourcev1.GitRepositoryList](mgr.GetClient(), includesIndex)),
			builder.WithPredicates(artifactChanged{})).
		WithOptions(opts)
	if err := secretwatch.Watch[sourcev1.GitRepositoryList](ctx, mgr, b, secretNames); err != nil {
		return err
	}
	return b.Complete(r)
}

func secretNames(repo *sourcev1.GitRepository) []string {
	names := secretwatch.Names(repo.Spec.SecretRef, repo.Spec.ProxySecretRef)
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
