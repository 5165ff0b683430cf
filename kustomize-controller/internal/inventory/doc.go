// Package inventory names the objects a Kustomization applied: references
// (ObjectRef) in the id format Flux writes to status.inventory, the
// inventory built from a set of objects, and the stale objects to prune when
// a new inventory replaces an old one, in an order that is safe to delete.
package inventory
