// Package inventory is the format of the ids in a Kustomization's
// status.inventory, as Flux's kustomize-controller writes and reads them:
// ObjectRef names an object, ObjectRef.ID writes its id and ParseID reads
// one back.
//
// The format itself lives in clusterkit/inventory, shared with the
// helm-controller; this package keeps the names the kustomize-controller and
// the tide CLI (`tide tree`, `tide diff`) use, so a Kustomization Flux
// applied is read the same way by all of them.
package inventory
