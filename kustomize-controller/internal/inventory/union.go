package inventory

import (
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

// Union returns the entries of a, then those of b that a lacks (by ID), each
// in its own order; a's version wins. It keeps the stale objects a prune
// could not delete, after the applied ones, as Flux does.
func Union(a, b *kustomizev1.ResourceInventory) *kustomizev1.ResourceInventory {
	seen := map[string]bool{}
	out := &kustomizev1.ResourceInventory{Entries: []kustomizev1.ResourceRef{}}
	for _, inv := range []*kustomizev1.ResourceInventory{a, b} {
		if inv == nil {
			continue
		}
		for _, e := range inv.Entries {
			if !seen[e.ID] {
				seen[e.ID] = true
				out.Entries = append(out.Entries, e)
			}
		}
	}
	return out
}
