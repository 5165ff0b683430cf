// Package kustomizecontroller is the home of Tide's kustomize-controller: it
// downloads a source artifact, builds it with kustomize, applies the result
// with server-side apply, prunes what left Git and checks health. The binary
// is cmd/kustomize-controller; the reconciler is internal/kustomization; the
// build package is public, so that the tide CLI builds exactly as the
// controller does.
package kustomizecontroller
