// Package v2 holds the types of the helm.toolkit.fluxcd.io/v2 API group as
// Tide serves it: the HelmRelease, which installs a Helm chart from a source
// artifact and keeps the release, its tests and its remediation in step with
// the spec. The wire format matches Flux's helm-controller API v1.7.1; the Go
// code is Tide's own.
//
// +kubebuilder:object:generate=true
// +groupName=helm.toolkit.fluxcd.io
package v2
