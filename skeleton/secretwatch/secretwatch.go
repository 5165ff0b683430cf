// Package secretwatch makes a controller react at once to a change of a
// Secret its objects name (a fixed password, a rotated certificate), without
// caching any Secret: it indexes the objects by the names of their Secrets,
// watches Secrets' metadata only, and enqueues the objects of a changed
// Secret's namespace that name it.
package secretwatch

import (
	"context"
	"fmt"

	"github.com/fluxcd/pkg/apis/meta"
	corev1 "k8s.io/api/core/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Index is the field index of the objects by every Secret they name.
const Index = ".spec.secretNames"

// listPtr is a pointer to a list kind, so that a fresh list can be made for
// every lookup.
type listPtr[L any] interface {
	*L
	client.ObjectList
}

// objectPtr is a pointer to an object kind, so that the index can be
// registered for the kind without the caller passing an empty object.
type objectPtr[T any] interface {
	*T
	client.Object
}

// Watch indexes the objects of kind T by the Secrets names returns, and adds
// to b a metadata-only watch of Secrets that enqueues the objects of the
// Secret's namespace naming it. L is T's list kind:
//
//	secretwatch.Watch[sourcev1.OCIRepositoryList](ctx, mgr, b, secretNames)
//
// An object whose Secrets need not trigger it (read by someone else) is left
// out by returning no names for it.
func Watch[L any, PL listPtr[L], T any, PT objectPtr[T]](ctx context.Context, mgr ctrl.Manager, b *builder.Builder, names func(PT) []string) error {
	if err := mgr.GetFieldIndexer().IndexField(ctx, PT(new(T)), Index, func(o client.Object) []string {
		return names(o.(PT))
	}); err != nil {
		return err
	}
	b.WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(UsersOf[L, PL](mgr.GetClient(), Index)))
	return nil
}

// UsersOf maps an object to the objects of its namespace (of list kind L)
// that name it in the given field index.
func UsersOf[L any, PL listPtr[L]](c client.Reader, index string) handler.MapFunc {
	return func(ctx context.Context, obj client.Object) []reconcile.Request {
		list := PL(new(L))
		if err := c.List(ctx, list, client.InNamespace(obj.GetNamespace()),
			client.MatchingFields{index: obj.GetName()}); err != nil {
			ctrl.LoggerFrom(ctx).Error(err, "list the objects naming another by index", "index", index, "list", fmt.Sprintf("%T", list))
			return nil
		}
		var reqs []reconcile.Request
		_ = apimeta.EachListItem(list, func(item runtime.Object) error {
			if o, ok := item.(client.Object); ok {
				reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetName()}})
			}
			return nil
		})
		return reqs
	}
}

// Names are the names of the references set, for a names function.
func Names(refs ...*meta.LocalObjectReference) []string {
	var names []string
	for _, ref := range refs {
		if ref != nil {
			names = append(names, ref.Name)
		}
	}
	return names
}
