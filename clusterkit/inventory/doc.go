// Package inventory is the format of the ids in status.inventory, as Flux's
// kustomize- and helm-controller write them: ObjectRef names an object,
// ObjectRef.ID writes its id and ParseID reads one back.
//
// Both of Tide's appliers write inventories with it (a Kustomization's
// applied objects, a HelmRelease's release manifest), the health checker
// names the objects it reads with ObjectRef, and the tide CLI reads
// inventories with it (through kustomize-controller/inventory), so no two
// of them can disagree on an id.
package inventory
