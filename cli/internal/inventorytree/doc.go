// Package inventorytree reads what a Kustomization applied, from its
// status.inventory, as a tree: an entry that is itself a Kustomization is
// expanded with its own inventory.
package inventorytree
