package inventory

import (
	"slices"
	"strings"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

// Union returns the entries of a and b, by ID, sorted; a's version wins.
func Union(a, b *kustomizev1.ResourceInventory) *kustomizev1.ResourceInventory {
	seen := map[string]bool{}
	out := &kustomizev1.ResourceInventory{}
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
	slices.SortFunc(out.Entries, func(x, y kustomizev1.ResourceRef) int { return strings.Compare(x.ID, y.ID) })
	return out
}
