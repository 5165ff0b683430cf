// Package health waits for applied objects to become healthy, as Flux's
// Kustomization (`spec.wait`, `spec.healthChecks`, `spec.healthCheckExprs`,
// `spec.timeout`) and HelmRelease (`spec.healthCheckExprs` while a Helm
// action waits) describe it. Both the kustomize- and the helm-controller use
// it, so the two read an object's health alike.
//
// An object's health is its kstatus status (sigs.k8s.io/cli-utils kstatus):
// Current is healthy, Failed fails the wait at once (a Deployment whose
// rollout exceeded its progress deadline, an object with Stalled=True), and
// everything else (InProgress, NotFound, Terminating, Unknown) is waited on
// until the timeout. Kinds kstatus does not understand can be given CEL
// expressions (healthCheckExprs) that say when they are failed, current or
// in progress.
//
// Checker.Wait polls with uncached reads, so it sees what the apiserver holds
// now, also on remote clusters, and returns a typed error (UnhealthyError,
// FailedError, AbortedError, InvalidExprError) whose message is written to be
// read in a Kustomization's or a HelmRelease's conditions.
package health
