// Package v1 holds the types of the notification.toolkit.fluxcd.io/v1 API
// group as Tide serves it: Alert and Provider (the stored version) and
// Receiver. The wire format (group, version, kinds, JSON field names,
// defaults and validation) matches Flux v2, so a Flux user's manifests apply
// unchanged; the Go code is Tide's own.
//
// +kubebuilder:object:generate=true
// +groupName=notification.toolkit.fluxcd.io
package v1
