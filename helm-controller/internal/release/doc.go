// Package release runs Helm's actions (install, upgrade, test, rollback,
// uninstall) for the helm-controller with the Helm v4 SDK, and reads what
// Helm's storage holds about a release.
//
// It knows nothing of HelmRelease objects: the reconciler turns a
// HelmRelease's spec into the options here, and what Helm stored back into
// status. Releases are stored as Helm stores them (Secrets of type
// helm.sh/release.v1 in the storage namespace), so the Helm CLI and Flux's
// helm-controller read the same records. Helm's kstatus waits poll each
// object of the release (pollWaiter) instead of watching whole namespaces.
package release
