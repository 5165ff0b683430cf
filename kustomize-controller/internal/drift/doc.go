// Package drift watches what Kustomizations applied, so that a change made
// to it by someone else is corrected at once instead of at the next
// interval, and so that a reconciliation whose build is what was last
// applied and checked can skip the dry-run and apply.
//
// It keeps one metadata-only informer (PartialObjectMetadata: names,
// labels and managedFields, never specs or data) per kind found in the
// inventories, started when an inventory first needs the kind and stopped
// when none has it any more. An event is mapped back to its Kustomization
// through the owner labels every applied object carries. Only an event
// that means drift wakes the Kustomization: another field manager taking
// or removing a field the controller's field manager owns (changes.go), or
// the deletion of an object still in the inventory. The controller's own
// writes and status updates by anyone wake nothing.
//
// The package holds no reconciler: the kustomize-controller calls Watch
// after an apply, asks Unchanged before one, and records Verified after a
// full, successful reconciliation.
package drift
