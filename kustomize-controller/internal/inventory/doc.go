// Package inventory names the objects a Kustomization applied: references
// (ObjectRef) in the id format Flux writes to status.inventory (the public
// kustomize-controller/inventory package, which the tide CLI shares), the
// inventory built from a set of objects in the order Flux writes it
// (order.go), and the stale objects to prune when a new inventory replaces an
// old one, in an order that is safe to delete.
package inventory
