package inventory

import (
	"cmp"
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

// New returns the inventory of the applied objects, in the order Flux writes
// it (see applyOrder). An object listed twice (same ID) is recorded once,
// with the version of its first occurrence.
func New(objs []*unstructured.Unstructured) *kustomizev1.ResourceInventory {
	refs := make([]ObjectRef, 0, len(objs))
	for _, obj := range objs {
		refs = append(refs, RefOf(obj))
	}
	slices.SortStableFunc(refs, applyOrder)
	inv := &kustomizev1.ResourceInventory{Entries: make([]kustomizev1.ResourceRef, 0, len(refs))}
	seen := map[string]bool{}
	for _, ref := range refs {
		id := ref.ID()
		if !seen[id] {
			seen[id] = true
			inv.Entries = append(inv.Entries, kustomizev1.ResourceRef{ID: id, Version: ref.Version})
		}
	}
	return inv
}

// Refs reads an inventory back (nil inventory -> nil).
func Refs(inv *kustomizev1.ResourceInventory) ([]ObjectRef, error) {
	if inv == nil {
		return nil, nil
	}
	refs := make([]ObjectRef, 0, len(inv.Entries))
	for _, e := range inv.Entries {
		ref, err := ParseID(e.ID, e.Version)
		if err != nil {
			return nil, err
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

// Stale returns the objects of old that are not in new (by ID; version
// ignored), in delete order: namespaced objects first, then cluster-wide
// ones, then Namespaces and last CustomResourceDefinitions. Deleting a
// Namespace or a CRD takes what lives in it or of its kind along; ordered
// this way, the objects of the inventory go first and their finalizers still
// find their kind and namespace.
func Stale(old, new *kustomizev1.ResourceInventory) ([]ObjectRef, error) {
	oldRefs, err := Refs(old)
	if err != nil {
		return nil, fmt.Errorf("old inventory: %w", err)
	}
	keep := map[string]bool{}
	if new != nil {
		for _, e := range new.Entries {
			keep[e.ID] = true
		}
	}
	var stale []ObjectRef
	for _, ref := range oldRefs {
		if !keep[ref.ID()] {
			stale = append(stale, ref)
		}
	}
	slices.SortStableFunc(stale, func(x, y ObjectRef) int {
		return cmp.Or(cmp.Compare(deleteRank(x), deleteRank(y)), cmp.Compare(x.ID(), y.ID()))
	})
	return stale, nil
}

// deleteRank orders kinds for deletion: lower goes first.
func deleteRank(r ObjectRef) int {
	switch {
	case r.Group == "apiextensions.k8s.io" && r.Kind == "CustomResourceDefinition":
		return 3
	case r.Group == "" && r.Kind == "Namespace":
		return 2
	case r.Namespace == "":
		return 1
	default:
		return 0
	}
}
