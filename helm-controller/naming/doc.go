// Package naming holds the helm-controller's rules for what it names in
// Helm: the release name of a HelmRelease (Flux's 53-character rule) and
// the version a chart of an OCIRepository is released with (its digest as
// build metadata).
//
// It is public so that `tide build|diff helmrelease` name a release and its
// chart exactly as the controller does.
package naming
