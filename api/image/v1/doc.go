// Package v1 holds the types of the image.toolkit.fluxcd.io/v1 API group as
// Tide serves it: ImageRepository and ImagePolicy (Flux's
// image-reflector-controller kinds) and ImageUpdateAutomation (Flux's
// image-automation-controller kind), all three served by Tide's one
// image-automation-controller. The wire format (group, version, kinds, JSON
// field names, defaults and validation) matches Flux v2, so a Flux user's
// manifests apply unchanged; the Go code is Tide's own.
//
// +kubebuilder:object:generate=true
// +groupName=image.toolkit.fluxcd.io
package v1
