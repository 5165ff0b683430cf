package ssa

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
)

// item is one object of an Apply: what the dry-run found, then what was done.
type item struct {
	obj    *unstructured.Unstructured // what is applied: a copy without server-set metadata
	ref    inventory.ObjectRef
	policy policy
	force  bool

	live     *unstructured.Unstructured // nil when the object does not exist
	action   Action                     // planned, then done
	takeover bool                       // Override: take kubectl's fields first
	recreate bool                       // immutable field changed and force is on
	deferred bool                       // validated after the first stage
	rejected string                     // the apiserver's reason when the dry-run failed

	done bool
}

func newItem(obj *unstructured.Unstructured, force bool) *item {
	o := obj.DeepCopy()
	// Server-set metadata has no place in an apply request; resourceVersion
	// would even make it conditional.
	for _, f := range volatileMetadata {
		unstructured.RemoveNestedField(o.Object, "metadata", f)
	}
	return &item{obj: o, ref: inventory.RefOf(obj), policy: policyOf(obj), force: force || forceEnabled(obj)}
}

// deferrals tell which second-stage objects can only be dry-run once the
// first stage is applied.
type deferrals struct {
	namespaces map[string]bool           // Namespaces of the set that do not exist yet
	changing   map[schema.GroupKind]bool // kinds whose CRD in the set is new or changes
	defined    map[schema.GroupKind]bool // kinds defined by a CRD of the set
}

func newDeferrals(first []*item) *deferrals {
	d := &deferrals{namespaces: map[string]bool{}, changing: map[schema.GroupKind]bool{}, defined: map[schema.GroupKind]bool{}}
	for _, it := range first {
		changes := it.action == Created || it.action == Configured
		switch it.ref.GroupVersionKind().GroupKind() {
		case schema.GroupKind{Kind: "Namespace"}:
			if it.live == nil && changes {
				d.namespaces[it.obj.GetName()] = true
			}
		case crdKind:
			gk := definedKind(it.obj)
			d.defined[gk] = true
			if changes {
				d.changing[gk] = true
			}
		}
	}
	return d
}

// definedKind is the kind a CustomResourceDefinition defines.
func definedKind(crd *unstructured.Unstructured) schema.GroupKind {
	group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
	kind, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "kind")
	return schema.GroupKind{Group: group, Kind: kind}
}

// waits reports whether the object's namespace or its kind's CRD is in the
// first stage and not in the cluster as the set has it yet.
func (d *deferrals) waits(obj *unstructured.Unstructured) bool {
	return d != nil && (d.namespaces[obj.GetNamespace()] || d.changing[obj.GroupVersionKind().GroupKind()])
}

func (d *deferrals) defines(gk schema.GroupKind) bool {
	return d != nil && d.defined[gk]
}

// deferredOf returns the items whose validation waited for the first stage.
func deferredOf(items []*item) []*item {
	var out []*item
	for _, it := range items {
		if it.deferred {
			out = append(out, it)
		}
	}
	return out
}

// planOne reads the live object and dry-runs the apply, and so decides what
// to do: skip, nothing (unchanged), create, configure or recreate. A
// rejected object gets its reason in it.rejected; other errors are returned.
func (m *Manager) planOne(ctx context.Context, it *item, d *deferrals) error {
	it.deferred = false
	if it.policy == ignore || reconcileDisabled(it.obj) {
		it.action = Skipped
		return nil
	}
	gvk := it.obj.GroupVersionKind()
	namespaced, err := m.Client.IsObjectNamespaced(it.obj)
	switch {
	case meta.IsNoMatchError(err) && d.defines(gvk.GroupKind()):
		it.deferred = true
		return nil
	case meta.IsNoMatchError(err):
		it.rejected = err.Error() + " (is its CustomResourceDefinition installed?)"
		return nil
	case err != nil:
		return fmt.Errorf("apply %s: %w", it.ref, err)
	case !namespaced:
		// kustomize sets the namespace of kinds it does not know, cluster-wide
		// custom resources among them; the apiserver would refuse it.
		it.obj.SetNamespace("")
	case it.obj.GetNamespace() == "":
		it.rejected = "the kind is namespaced, and metadata.namespace is not set"
		return nil
	}
	if d.waits(it.obj) {
		it.deferred = true
		return nil
	}

	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(gvk)
	switch err := m.Client.Get(ctx, client.ObjectKeyFromObject(it.obj), live); {
	case apierrors.IsNotFound(err):
		live = nil
	case err != nil:
		return fmt.Errorf("apply %s: %w", it.ref, err)
	}
	it.live = live
	if live != nil && (reconcileDisabled(live) || it.policy == ifNotPresent) {
		it.action = Skipped
		return nil
	}

	dryRun := it.obj.DeepCopy()
	switch err := m.apply(ctx, dryRun, true); {
	case err == nil:
	case live != nil && isImmutable(err) && it.force:
		return m.planRecreate(ctx, it)
	case live != nil && isImmutable(err):
		it.rejected = immutableMessage(err)
		return nil
	case isRejection(err):
		it.rejected = err.Error()
		return nil
	default:
		return fmt.Errorf("apply %s: %w", it.ref, err)
	}

	_, withStatus := it.obj.Object["status"]
	switch {
	case live == nil:
		it.action = Created
	case it.policy == override && needsTakeover(it.obj, live, m.Owner):
		it.takeover = true
		it.action = Configured
	case sameObject(dryRun, live, withStatus):
		it.action = Unchanged
	default:
		it.action = Configured
	}
	return nil
}

// planRecreate validates the object that will replace the live one. The
// name is taken, so the dry-run creates it under a generated name: every
// check but those on the name itself applies.
func (m *Manager) planRecreate(ctx context.Context, it *item) error {
	probe := it.obj.DeepCopy()
	name := probe.GetName()
	if len(name) > 57 {
		name = name[:57]
	}
	probe.SetName("")
	probe.SetGenerateName(name + "-")
	err := m.Client.Create(ctx, probe, client.DryRunAll, client.FieldOwner(m.Owner))
	switch {
	case err == nil:
		it.recreate = true
		it.action = Created // a new object, with a new UID: for its users it was created
	case isRejection(err):
		it.rejected = err.Error()
	default:
		return fmt.Errorf("apply %s: %w", it.ref, err)
	}
	return nil
}

// apply server-side applies obj as Owner, taking over conflicting fields,
// and leaves the result in obj.
func (m *Manager) apply(ctx context.Context, obj *unstructured.Unstructured, dryRun bool) error {
	opts := []client.ApplyOption{client.FieldOwner(m.Owner), client.ForceOwnership}
	if dryRun {
		opts = append(opts, client.DryRunAll)
	}
	return m.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj), opts...)
}
