// Package clusterdiff compares what a Kustomization would apply with what
// the cluster holds: each built object is applied in a server-side dry run,
// as the kustomize-controller's field manager, and the result is compared
// with the live object; the objects of the Kustomization's inventory that
// the build no longer has are the ones a reconcile would prune. Values of
// Secrets never leave this package: diffs show them masked.
package clusterdiff
