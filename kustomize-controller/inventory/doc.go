// Package inventory is the format of the ids in a Kustomization's
// status.inventory, as Flux's kustomize-controller writes and reads them:
// ObjectRef names an object, ObjectRef.ID writes its id and ParseID reads
// one back.
//
// It is public so that there is one implementation of the format: the
// kustomize-controller writes its inventory and prunes with it, and the tide
// CLI reads inventories with it (`tide tree`, `tide diff`). A Kustomization
// Flux applied is thus read the same way by both.
package inventory
