// Package v1beta3 holds Alert and Provider of notification.toolkit.fluxcd.io
// v1beta3, still served (deprecated, as in Flux) so that manifests written
// for it apply unchanged; objects are stored as v1. The wire format matches
// Flux v2; the Go code is Tide's own.
//
// +kubebuilder:object:generate=true
// +groupName=notification.toolkit.fluxcd.io
package v1beta3
