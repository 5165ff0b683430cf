package imagepolicy

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

	imagev1 "github.com/tidegitops/tide/api/image/v1"
)

// repositoryIndex indexes ImagePolicies by the ImageRepository they name,
// "<namespace>/<name>".
const repositoryIndex = ".spec.imageRepositoryRef"

// SetupWithManager registers the reconciler. Besides its own objects (new
// generations and reconcile requests) it watches ImageRepositories: a new
// scan result, or a new generation (its accessFrom), reconciles the
// policies naming it at once.
func (r *Reconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager, opts controller.Options) error {
	if err := mgr.GetFieldIndexer().IndexField(ctx, &imagev1.ImagePolicy{}, repositoryIndex, repositoryOf); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&imagev1.ImagePolicy{}, builder.WithPredicates(
			predicate.Or(predicate.GenerationChangedPredicate{}, predicates.ReconcileRequestedPredicate{}))).
		Watches(&imagev1.ImageRepository{}, handler.EnqueueRequestsFromMapFunc(r.policiesOf),
			builder.WithPredicates(newScanOrGeneration{})).
		WithOptions(opts).
		Complete(r)
}

func repositoryOf(obj client.Object) []string {
	p := obj.(*imagev1.ImagePolicy)
	ns := p.Spec.ImageRepositoryRef.Namespace
	if ns == "" {
		ns = p.Namespace
	}
	return []string{ns + "/" + p.Spec.ImageRepositoryRef.Name}
}

// policiesOf maps an ImageRepository to the policies naming it, in any
// namespace.
func (r *Reconciler) policiesOf(ctx context.Context, obj client.Object) []reconcile.Request {
	var list imagev1.ImagePolicyList
	if err := r.List(ctx, &list, client.MatchingFields{repositoryIndex: obj.GetNamespace() + "/" + obj.GetName()}); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "list ImagePolicies by ImageRepository")
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(list.Items))
	for _, p := range list.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: p.Namespace, Name: p.Name}})
	}
	return reqs
}

// newScanOrGeneration passes a repository's creation and deletion, a scan
// that changed its tags (a new revision) and a new generation.
type newScanOrGeneration struct{ predicate.Funcs }

func (newScanOrGeneration) Update(e event.UpdateEvent) bool {
	oldRepo, ok1 := e.ObjectOld.(*imagev1.ImageRepository)
	newRepo, ok2 := e.ObjectNew.(*imagev1.ImageRepository)
	if !ok1 || !ok2 {
		return false
	}
	if oldRepo.Generation != newRepo.Generation {
		return true
	}
	o, n := oldRepo.Status.LastScanResult, newRepo.Status.LastScanResult
	return n != nil && (o == nil || o.Revision != n.Revision || oldRepo.Status.CanonicalImageName != newRepo.Status.CanonicalImageName)
}
