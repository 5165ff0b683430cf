// Package v1 holds the types of the source.toolkit.fluxcd.io/v1 API group as
// Tide serves it. The wire format (group, version, kinds, JSON field names,
// defaults and validation) matches Flux v2, so existing Flux manifests apply
// unchanged; the Go code is Tide's own.
//
// +kubebuilder:object:generate=true
// +groupName=source.toolkit.fluxcd.io
package v1
