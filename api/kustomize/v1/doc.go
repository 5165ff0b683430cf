// Package v1 holds the types of the kustomize.toolkit.fluxcd.io/v1 API group
// as Tide serves it: the Kustomization, which builds a folder of a source
// artifact with kustomize and keeps the cluster equal to the result. The wire
// format matches Flux v2; the Go code is Tide's own.
//
// +kubebuilder:object:generate=true
// +groupName=kustomize.toolkit.fluxcd.io
package v1
