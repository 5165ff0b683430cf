package imageupdate

import (
	"context"
	"reflect"

	"github.com/fluxcd/pkg/runtime/predicates"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// sourceIndex indexes automations by "<namespace>/<name>" of their GitRepository.
const sourceIndex = ".spec.sourceRef"

// SetupWithManager registers the reconciler. Besides its own objects it
// watches GitRepositories (a new revision runs their automations at once)
// and ImagePolicies (a new latest image runs the automations of its
// namespace that select it, after their spec.policyChangeDelay).
func (r *Reconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager, opts controller.Options) error {
	if err := mgr.GetFieldIndexer().IndexField(ctx, &imagev1.ImageUpdateAutomation{}, sourceIndex, func(o client.Object) []string {
		a := o.(*imagev1.ImageUpdateAutomation)
		ns := a.Spec.SourceRef.Namespace
		if ns == "" {
			ns = a.Namespace
		}
		return []string{ns + "/" + a.Spec.SourceRef.Name}
	}); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&imagev1.ImageUpdateAutomation{}, builder.WithPredicates(
			predicate.Or(predicate.GenerationChangedPredicate{}, predicates.ReconcileRequestedPredicate{}))).
		Watches(&sourcev1.GitRepository{}, handler.EnqueueRequestsFromMapFunc(r.automationsOfSource),
			builder.WithPredicates(revisionChanged{})).
		Watches(&imagev1.ImagePolicy{}, policyHandler{r}).
		WithOptions(opts).
		Complete(r)
}

func (r *Reconciler) automationsOfSource(ctx context.Context, o client.Object) []reconcile.Request {
	var list imagev1.ImageUpdateAutomationList
	if err := r.List(ctx, &list, client.MatchingFields{sourceIndex: o.GetNamespace() + "/" + o.GetName()}); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "list ImageUpdateAutomations of a GitRepository")
		return nil
	}
	var reqs []reconcile.Request
	for _, a := range list.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: a.Namespace, Name: a.Name}})
	}
	return reqs
}

// revisionChanged passes a GitRepository whose artifact revision changed.
type revisionChanged struct{ predicate.Funcs }

func (revisionChanged) Update(e event.UpdateEvent) bool {
	o, ok1 := e.ObjectOld.(*sourcev1.GitRepository)
	n, ok2 := e.ObjectNew.(*sourcev1.GitRepository)
	if !ok1 || !ok2 || n.Status.Artifact == nil {
		return false
	}
	return o.Status.Artifact == nil || o.Status.Artifact.Revision != n.Status.Artifact.Revision
}

// policyHandler runs the automations a policy change concerns. With
// spec.policyChangeDelay the run waits: the work queue keeps the earliest
// time it was asked for, so the changes of other policies within the delay
// are picked up by the same run, in one commit.
type policyHandler struct{ r *Reconciler }

func (h policyHandler) Create(ctx context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	h.enqueue(ctx, e.Object, q)
}

func (h policyHandler) Update(ctx context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	o, ok1 := e.ObjectOld.(*imagev1.ImagePolicy)
	n, ok2 := e.ObjectNew.(*imagev1.ImagePolicy)
	if ok1 && ok2 && reflect.DeepEqual(o.Status.LatestRef, n.Status.LatestRef) && reflect.DeepEqual(o.Labels, n.Labels) {
		return
	}
	h.enqueue(ctx, e.ObjectNew, q)
	if ok1 && ok2 && !reflect.DeepEqual(o.Labels, n.Labels) {
		// Automations that selected it by its old labels see it go.
		h.enqueue(ctx, e.ObjectOld, q)
	}
}

func (h policyHandler) Delete(ctx context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	h.enqueue(ctx, e.Object, q)
}

func (policyHandler) Generic(context.Context, event.GenericEvent, workqueue.TypedRateLimitingInterface[reconcile.Request]) {
}

func (h policyHandler) enqueue(ctx context.Context, policy client.Object, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	var list imagev1.ImageUpdateAutomationList
	if err := h.r.List(ctx, &list, client.InNamespace(policy.GetNamespace())); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "list ImageUpdateAutomations of an ImagePolicy's namespace")
		return
	}
	for _, a := range list.Items {
		if a.Spec.PolicySelector != nil {
			sel, err := metav1.LabelSelectorAsSelector(a.Spec.PolicySelector)
			if err != nil || !sel.Matches(labels.Set(policy.GetLabels())) {
				continue
			}
		}
		req := reconcile.Request{NamespacedName: types.NamespacedName{Namespace: a.Namespace, Name: a.Name}}
		if d := a.GetPolicyChangeDelay(); d > 0 {
			q.AddAfter(req, d)
		} else {
			q.Add(req)
		}
	}
}
