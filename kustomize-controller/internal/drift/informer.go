package drift

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"
)

// selector lists only what a Kustomization applied: objects carrying both
// owner labels.
const selector = nameLabel + "," + namespaceLabel

// kind is one informer and the Kustomizations that hold it.
type kind struct {
	gk    schema.GroupKind
	users map[types.NamespacedName]bool
	// ready is closed once the informer has synced or failed to start;
	// err then says why it failed.
	ready chan struct{}
	err   error
	stop  context.CancelFunc
	// store is the informer's cache: the resourceVersions a safety check
	// compares (see Watcher.Recheck).
	store cache.Store
}

// hold makes key a user of the informer of gk, starting it when none runs,
// and waits until it has synced.
func (w *Watcher) hold(ctx context.Context, key types.NamespacedName, gk schema.GroupKind, version string) (schema.GroupResource, error) {
	mapping, err := w.mapper.RESTMapping(gk, version)
	if err != nil {
		// The inventory's version may be gone: any served one will do.
		if mapping, err = w.mapper.RESTMapping(gk); err != nil {
			return schema.GroupResource{}, fmt.Errorf("cannot watch: %w", err)
		}
	}
	gvr := mapping.Resource
	gr := gvr.GroupResource()

	w.mu.Lock()
	k, running := w.kinds[gr]
	if !running {
		k = &kind{gk: gk, users: map[types.NamespacedName]bool{}, ready: make(chan struct{})}
		w.kinds[gr] = k
	}
	k.users[key] = true
	w.mu.Unlock()

	if !running {
		k.err = w.start(ctx, gvr, k)
		w.mu.Lock()
		switch {
		case k.err != nil && w.kinds[gr] == k:
			delete(w.kinds, gr)
		case k.err == nil && w.kinds[gr] != k:
			// Every user let go while it started.
			k.stop()
		}
		w.mu.Unlock()
		close(k.ready)
	}
	select {
	case <-k.ready:
	case <-ctx.Done():
		w.letGo(key, gr, k)
		return gr, ctx.Err()
	}
	if k.err != nil {
		return gr, k.err
	}
	return gr, nil
}

// start lists what the informer would, cut to one item, so that a refused
// watch (RBAC, a kind no longer served) is known at once rather than
// retried in the background, then runs the informer until it has synced.
func (w *Watcher) start(ctx context.Context, gvr schema.GroupVersionResource, k *kind) error {
	_, err := w.client.Resource(gvr).List(ctx, metav1.ListOptions{LabelSelector: selector, Limit: 1})
	if err != nil {
		return fmt.Errorf("cannot list %s: %w", gvr.GroupResource(), err)
	}
	runCtx, cancel := context.WithCancel(w.root)
	informer := metadatainformer.NewFilteredMetadataInformer(w.client, gvr, metav1.NamespaceAll, 0, cache.Indexers{},
		func(o *metav1.ListOptions) { o.LabelSelector = selector }).Informer()
	_ = informer.SetTransform(slim)
	_ = informer.SetWatchErrorHandlerWithContext(func(ctx context.Context, r *cache.Reflector, err error) {
		if apierrors.IsNotFound(err) || apierrors.IsForbidden(err) || apierrors.IsMethodNotSupported(err) {
			w.broke(gvr.GroupResource(), k, err)
			return
		}
		cache.DefaultWatchErrorHandler(ctx, r, err)
	})
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(before, after any) {
			b, ok1 := before.(*metav1.PartialObjectMetadata)
			a, ok2 := after.(*metav1.PartialObjectMetadata)
			if !ok1 || !ok2 {
				return
			}
			switch Drifted(b, a, w.own, time.Now()) {
			case Drift:
				w.notify(k.gk, a.Namespace, a.Name, a.Labels, "changed by another field manager", true)
			case MaybeDrift:
				w.notify(k.gk, a.Namespace, a.Name, a.Labels, "lost a field just after the controller wrote it", false)
			}
		},
		DeleteFunc: func(obj any) {
			if gone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = gone.Obj
			}
			if m, ok := obj.(*metav1.PartialObjectMetadata); ok {
				w.notify(k.gk, m.Namespace, m.Name, m.Labels, "deleted", true)
			}
		},
	})
	w.mu.Lock()
	k.stop = cancel
	k.store = informer.GetStore()
	w.mu.Unlock()
	go informer.RunWithContext(runCtx)
	syncCtx, done := context.WithTimeout(ctx, syncTimeout)
	defer done()
	if !cache.WaitForCacheSync(syncCtx.Done(), informer.HasSynced) {
		cancel()
		return fmt.Errorf("cannot watch %s: %w", gvr.GroupResource(), errNotSynced)
	}
	return nil
}

// slim keeps of an object what the handlers read: its name, the owner
// labels and managedFields. Annotations (a last-applied-configuration can
// be as large as the object) and the rest are dropped before the object is
// stored.
func slim(obj any) (any, error) {
	m, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return obj, nil
	}
	slim := &metav1.PartialObjectMetadata{TypeMeta: m.TypeMeta}
	slim.Name, slim.Namespace, slim.UID, slim.ResourceVersion = m.Name, m.Namespace, m.UID, m.ResourceVersion
	slim.Labels = map[string]string{nameLabel: m.Labels[nameLabel], namespaceLabel: m.Labels[namespaceLabel]}
	slim.ManagedFields = m.ManagedFields
	return slim, nil
}

// letGo removes key from the users of k, stopping k when it was the last.
func (w *Watcher) letGo(key types.NamespacedName, gr schema.GroupResource, k *kind) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(k.users, key)
	if len(k.users) == 0 && w.kinds[gr] == k {
		delete(w.kinds, gr)
		if k.stop != nil {
			k.stop()
		}
	}
}

// releaseLocked is letGo with w.mu held.
func (w *Watcher) releaseLocked(key types.NamespacedName, gr schema.GroupResource) {
	k, ok := w.kinds[gr]
	if !ok {
		return
	}
	delete(k.users, key)
	if len(k.users) == 0 {
		delete(w.kinds, gr)
		if k.stop != nil {
			k.stop()
		}
	}
}
