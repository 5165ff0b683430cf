// Package drift compares a Helm release's objects with the cluster, as
// Flux's helm-controller does for spec.driftDetection: each object of the
// release's manifest is applied server-side in dry-run (as the field
// manager Helm used, taking ownership), and the result is compared with
// the live object, its spec and data in full and its labels and
// annotations only for what the release sets. Objects labelled or
// annotated helm.toolkit.fluxcd.io/driftDetection: disabled, and the
// fields of matching ignore rules, are left out. Correct puts drift back:
// an object that is gone is created, a changed one patched with the
// difference (so an ignored field is never touched), without a Helm
// upgrade.
package drift
