package kustomization

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

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

const (
	// sourceIndex indexes Kustomizations by the source they build.
	sourceIndex = ".spec.sourceRef"
	// dependsOnIndex indexes Kustomizations by every Kustomization they depend on.
	dependsOnIndex = ".spec.dependsOn"
)

// SetupWithManager registers the reconciler. Besides its own objects it
// watches every source kind, so a new artifact is applied at once rather
// than at the next interval, Kustomizations that become Ready, so their
// dependents go ahead at once, and the ConfigMaps and Secrets they read
// (configs.go).
func (r *Reconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager, opts controller.Options) error {
	indexer := mgr.GetFieldIndexer()
	if err := indexer.IndexField(ctx, &kustomizev1.Kustomization{}, sourceIndex, indexSource); err != nil {
		return err
	}
	if err := indexer.IndexField(ctx, &kustomizev1.Kustomization{}, dependsOnIndex, indexDependsOn); err != nil {
		return err
	}
	b := ctrl.NewControllerManagedBy(mgr).
		For(&kustomizev1.Kustomization{}, builder.WithPredicates(
			predicate.Or(predicate.GenerationChangedPredicate{}, predicates.ReconcileRequestedPredicate{}))).
		Watches(&kustomizev1.Kustomization{},
			handler.EnqueueRequestsFromMapFunc(r.listBy(dependsOnIndex, namespacedName)),
			builder.WithPredicates(becameReady{}))
	for kind, newSource := range sourceKinds {
		keyOf := func(o client.Object) string { return sourceKey(kind, o.GetNamespace(), o.GetName()) }
		b = b.Watches(newSource(), handler.EnqueueRequestsFromMapFunc(r.listBy(sourceIndex, keyOf)),
			builder.WithPredicates(artifactChanged{}))
	}
	if r.Drift != nil {
		b = b.WatchesRawSource(r.Drift.Source())
	}
	if !r.DisableConfigWatchers {
		var err error
		if b, err = r.watchConfigs(ctx, mgr, b); err != nil {
			return err
		}
	}
	return b.WithOptions(opts).Complete(r)
}

// listBy maps an object to the Kustomizations that name it in index, under
// the key keyOf gives it.
func (r *Reconciler) listBy(index string, keyOf func(client.Object) string) handler.MapFunc {
	return func(ctx context.Context, obj client.Object) []reconcile.Request {
		var list kustomizev1.KustomizationList
		if err := r.List(ctx, &list, client.MatchingFields{index: keyOf(obj)}); err != nil {
			ctrl.LoggerFrom(ctx).Error(err, "list Kustomizations by index", "index", index)
			return nil
		}
		reqs := make([]reconcile.Request, 0, len(list.Items))
		for _, item := range list.Items {
			reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: item.Namespace, Name: item.Name}})
		}
		return reqs
	}
}

func namespacedName(o client.Object) string { return o.GetNamespace() + "/" + o.GetName() }

func indexSource(o client.Object) []string {
	obj := o.(*kustomizev1.Kustomization)
	return []string{sourceKey(obj.Spec.SourceRef.Kind, sourceNamespace(obj), obj.Spec.SourceRef.Name)}
}

func indexDependsOn(o client.Object) []string {
	obj := o.(*kustomizev1.Kustomization)
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

// artifactChanged passes source updates whose artifact revision or digest
// changed, and new sources that already have one.
type artifactChanged struct{ predicate.Funcs }

func (artifactChanged) Update(e event.UpdateEvent) bool {
	newSrc, ok1 := e.ObjectNew.(source)
	oldSrc, ok2 := e.ObjectOld.(source)
	if !ok1 || !ok2 || newSrc.GetArtifact() == nil {
		return false
	}
	before, after := oldSrc.GetArtifact(), newSrc.GetArtifact()
	return before == nil || before.Digest != after.Digest || before.Revision != after.Revision
}

func (artifactChanged) Create(e event.CreateEvent) bool {
	src, ok := e.Object.(source)
	return ok && src.GetArtifact() != nil
}

// becameReady passes Kustomization updates that turned Ready=True.
type becameReady struct{ predicate.Funcs }

func (becameReady) Update(e event.UpdateEvent) bool {
	before, ok1 := e.ObjectOld.(*kustomizev1.Kustomization)
	after, ok2 := e.ObjectNew.(*kustomizev1.Kustomization)
	return ok1 && ok2 && conditions.IsReady(after) &&
		(!conditions.IsReady(before) || before.Status.LastAppliedRevision != after.Status.LastAppliedRevision)
}

func (becameReady) Create(event.CreateEvent) bool { return false }
