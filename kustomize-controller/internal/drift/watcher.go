package drift

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/metadata"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/source"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
)

// syncTimeout bounds the wait for a new informer's initial list.
const syncTimeout = 30 * time.Second

// Watcher keeps the informers of the kinds the Kustomizations applied and
// remembers, per Kustomization, whether anything drifted since its last
// full check. It is safe for concurrent use.
type Watcher struct {
	client metadata.Interface
	mapper meta.RESTMapper
	own    map[string]bool
	// root ends every informer when the controller stops.
	root   context.Context
	events chan event.GenericEvent

	mu    sync.Mutex
	kinds map[schema.GroupResource]*kind
	users map[types.NamespacedName]*user
}

// user is what the watcher knows of one Kustomization.
type user struct {
	ids map[string]bool // inventory ids of what it applied
	// where each watched id is found in the informers' caches.
	where map[string]location
	kinds map[schema.GroupResource]bool // the informers it holds
	// failed are the kinds whose watch could not start: their drift is
	// found at the interval only, so nothing of this Kustomization is
	// skipped.
	failed map[schema.GroupKind]string
	// dirty: an event arrived since the last full check began.
	dirty bool
	check *Check
}

// Check is what one full, successful reconciliation verified.
type Check struct {
	UID        types.UID
	Generation int64
	// Digest identifies the built objects that were applied.
	Digest string
	At     time.Time
	// Skipped are the inventory ids the apply left alone (not
	// health-checked).
	Skipped map[string]bool
	// versions are the resourceVersions the informers held for each
	// applied object when the check was recorded (see Recheck).
	versions map[string]string
}

// location is where an applied object is found in the informers' caches.
type location struct {
	gr  schema.GroupResource
	key string // namespace/name, the cache's key
}

// NewWatcher returns a watcher that reads through client and mapper, and
// counts the field managers own as the controller's. Informers end with
// root.
func NewWatcher(root context.Context, client metadata.Interface, mapper meta.RESTMapper, own ...string) *Watcher {
	owners := map[string]bool{}
	for _, o := range own {
		owners[o] = true
	}
	return &Watcher{client: client, mapper: mapper, own: owners, root: root,
		events: make(chan event.GenericEvent, 1024),
		kinds:  map[schema.GroupResource]*kind{}, users: map[types.NamespacedName]*user{}}
}

// Source enqueues the Kustomizations whose objects drifted.
func (w *Watcher) Source() source.Source {
	return source.Channel(w.events, &handler.EnqueueRequestForObject{})
}

// Watch makes sure every kind of refs, what key applied, is watched, and
// lets go of the kinds key no longer has. It returns the kinds whose watch
// could not start and had not failed before for key (each once, for a
// warning); such a Kustomization is never skipped (see Verified).
func (w *Watcher) Watch(ctx context.Context, key types.NamespacedName, refs []inventory.ObjectRef) []error {
	versions := map[schema.GroupKind]string{}
	ids := make(map[string]bool, len(refs))
	for _, ref := range refs {
		versions[schema.GroupKind{Group: ref.Group, Kind: ref.Kind}] = ref.Version
		ids[ref.ID()] = true
	}
	wanted := map[schema.GroupResource]bool{}
	failed := map[schema.GroupKind]string{}
	resources := map[schema.GroupKind]schema.GroupResource{}
	var errs []error
	for gk, version := range versions {
		gr, err := w.hold(ctx, key, gk, version)
		if err != nil {
			failed[gk] = err.Error()
			errs = append(errs, fmt.Errorf("%s: %w", gk.Kind, err))
			continue
		}
		wanted[gr] = true
		resources[gk] = gr
	}
	where := make(map[string]location, len(refs))
	for _, ref := range refs {
		if gr, ok := resources[schema.GroupKind{Group: ref.Group, Kind: ref.Kind}]; ok {
			cacheKey := ref.Name
			if ref.Namespace != "" {
				cacheKey = ref.Namespace + "/" + ref.Name
			}
			where[ref.ID()] = location{gr: gr, key: cacheKey}
		}
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	u := w.userLocked(key)
	u.ids, u.where = ids, where
	for gr := range u.kinds {
		if !wanted[gr] {
			w.releaseLocked(key, gr)
		}
	}
	u.kinds = wanted
	var fresh []error
	for gk, msg := range failed {
		if _, known := u.failed[gk]; !known {
			fresh = append(fresh, fmt.Errorf("%s: %s", gk.Kind, msg))
		}
	}
	u.failed = failed
	if len(errs) > 0 {
		u.check = nil
	}
	return fresh
}

// Forget lets go of everything key holds: it was deleted.
func (w *Watcher) Forget(key types.NamespacedName) {
	w.mu.Lock()
	defer w.mu.Unlock()
	u, ok := w.users[key]
	if !ok {
		return
	}
	for gr := range u.kinds {
		w.releaseLocked(key, gr)
	}
	delete(w.users, key)
}

// Begin is called as a full check of key begins: what drifted before is
// about to be corrected, and the last check no longer holds.
func (w *Watcher) Begin(key types.NamespacedName) {
	w.mu.Lock()
	defer w.mu.Unlock()
	u := w.userLocked(key)
	u.dirty, u.check = false, nil
}

// Verified records a full, successful reconciliation of key, unless an
// event arrived since it began or a kind of it is not watched.
func (w *Watcher) Verified(key types.NamespacedName, c Check) {
	w.mu.Lock()
	defer w.mu.Unlock()
	u, ok := w.users[key]
	if !ok || u.dirty || len(u.failed) > 0 {
		return
	}
	c.versions = w.versionsLocked(u)
	u.check = &c
}

// Recheck is the safety check of key, without a request to the apiserver:
// it returns the applied objects whose resourceVersion in the informers'
// caches is no longer the one recorded with the last full check (changed
// in any way since, or gone), which the watch events should have flagged
// already. ok is false when there is no check to compare with.
func (w *Watcher) Recheck(key types.NamespacedName) (changed []string, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	u, found := w.users[key]
	if !found || u.dirty || u.check == nil || len(u.failed) > 0 {
		return nil, false
	}
	now := w.versionsLocked(u)
	for id := range u.ids {
		if v, ok := now[id]; !ok || v == "" || v != u.check.versions[id] {
			changed = append(changed, id)
		}
	}
	return changed, true
}

// Renew dates the last full check of key at, after a safety check found
// nothing changed since.
func (w *Watcher) Renew(key types.NamespacedName, at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if u, ok := w.users[key]; ok && !u.dirty && u.check != nil {
		u.check.At = at
	}
}

// versionsLocked reads the resourceVersions of u's objects from the
// informers' caches ("" when an object is not there).
func (w *Watcher) versionsLocked(u *user) map[string]string {
	versions := make(map[string]string, len(u.where))
	for id, loc := range u.where {
		k, ok := w.kinds[loc.gr]
		if !ok || k.store == nil {
			continue
		}
		versions[id] = ""
		if item, exists, err := k.store.GetByKey(loc.key); err == nil && exists {
			if m, ok := item.(metav1.Object); ok {
				versions[id] = m.GetResourceVersion()
			}
		}
	}
	return versions
}

// Unchanged returns the last full check of key while nothing of it has
// drifted since.
func (w *Watcher) Unchanged(key types.NamespacedName) (Check, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	u, ok := w.users[key]
	if !ok || u.dirty || u.check == nil || len(u.failed) > 0 {
		return Check{}, false
	}
	return *u.check, true
}

// Watching returns the kinds watched, for tests and metrics.
func (w *Watcher) Watching() []schema.GroupResource {
	w.mu.Lock()
	defer w.mu.Unlock()
	grs := make([]schema.GroupResource, 0, len(w.kinds))
	for gr := range w.kinds {
		grs = append(grs, gr)
	}
	return grs
}

func (w *Watcher) userLocked(key types.NamespacedName) *user {
	u, ok := w.users[key]
	if !ok {
		u = &user{kinds: map[schema.GroupResource]bool{}, failed: map[schema.GroupKind]string{}}
		w.users[key] = u
	}
	return u
}

// notify marks the Kustomization of an object that drifted, so that its
// next run checks in full, and with now enqueues it at once; only when the
// object is in its inventory.
func (w *Watcher) notify(gk schema.GroupKind, namespace, name string, labels map[string]string, what string, now bool) {
	key := types.NamespacedName{Namespace: labels[namespaceLabel], Name: labels[nameLabel]}
	id := inventory.ObjectRef{Group: gk.Group, Kind: gk.Kind, Namespace: namespace, Name: name}.ID()
	w.mu.Lock()
	u, ok := w.users[key]
	hit := ok && u.ids[id]
	if hit {
		u.dirty, u.check = true, nil
	}
	w.mu.Unlock()
	if !hit {
		return
	}
	ctrl.Log.WithName("drift").V(1).Info("applied object "+what, "kustomization", key, "object", id)
	if !now {
		return
	}
	obj := &kustomizev1.Kustomization{}
	obj.Namespace, obj.Name = key.Namespace, key.Name
	select {
	case w.events <- event.GenericEvent{Object: obj}:
	case <-w.root.Done():
	}
}

// broke is called when a running watch fails for good (its kind no longer
// served, or no longer allowed): its users are checked in full at once,
// which watches again or reports why it cannot.
func (w *Watcher) broke(gr schema.GroupResource, k *kind, err error) {
	w.mu.Lock()
	if w.kinds[gr] != k {
		w.mu.Unlock()
		return
	}
	delete(w.kinds, gr)
	if k.stop != nil {
		k.stop()
	}
	var keys []types.NamespacedName
	for key := range k.users {
		if u, ok := w.users[key]; ok {
			delete(u.kinds, gr)
			u.failed[k.gk] = err.Error()
			u.dirty, u.check = true, nil
			keys = append(keys, key)
		}
	}
	w.mu.Unlock()
	ctrl.Log.WithName("drift").Info("watch stopped; the Kustomizations applying this kind are checked at every interval",
		"kind", k.gk.String(), "error", err.Error())
	for _, key := range keys {
		obj := &kustomizev1.Kustomization{}
		obj.Namespace, obj.Name = key.Namespace, key.Name
		select {
		case w.events <- event.GenericEvent{Object: obj}:
		case <-w.root.Done():
			return
		}
	}
}

var errNotSynced = errors.New("the initial list did not complete in time")

const (
	nameLabel      = "kustomize.toolkit.fluxcd.io/name"
	namespaceLabel = "kustomize.toolkit.fluxcd.io/namespace"
)
