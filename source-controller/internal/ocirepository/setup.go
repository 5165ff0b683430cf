package ocirepository

import (
	"context"

	"github.com/fluxcd/pkg/runtime/predicates"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton/secretwatch"
)

// SetupWithManager registers the reconciler. Besides its own objects it
// watches Secrets (metadata only, so no Secret is cached), so that fixing a
// referenced Secret reconciles at once.
func (r *Reconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager, opts controller.Options) error {
	b := ctrl.NewControllerManagedBy(mgr).
		For(&sourcev1.OCIRepository{}, builder.WithPredicates(
			predicate.Or(predicate.GenerationChangedPredicate{}, predicates.ReconcileRequestedPredicate{}))).
		WithOptions(opts)
	if err := secretwatch.Watch[sourcev1.OCIRepositoryList](ctx, mgr, b, secretNames); err != nil {
		return err
	}
	return b.Complete(r)
}

func secretNames(repo *sourcev1.OCIRepository) []string {
	return secretwatch.Names(repo.Spec.SecretRef, repo.Spec.CertSecretRef, repo.Spec.ProxySecretRef)
}
