package imagerepository

import (
	"context"

	"github.com/fluxcd/pkg/runtime/predicates"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/skeleton/secretwatch"
)

// SetupWithManager registers the reconciler. Besides its own objects
// (new generations and reconcile requests) it watches Secrets, metadata
// only, so that fixing a Secret a repository names rescans at once.
func (r *Reconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager, opts controller.Options) error {
	b := ctrl.NewControllerManagedBy(mgr).
		For(&imagev1.ImageRepository{}, builder.WithPredicates(
			predicate.Or(predicate.GenerationChangedPredicate{}, predicates.ReconcileRequestedPredicate{}))).
		WithOptions(opts)
	if err := secretwatch.Watch[imagev1.ImageRepositoryList](ctx, mgr, b, secretNames); err != nil {
		return err
	}
	return b.Complete(r)
}

func secretNames(repo *imagev1.ImageRepository) []string {
	return secretwatch.Names(repo.Spec.SecretRef, repo.Spec.CertSecretRef, repo.Spec.ProxySecretRef)
}
