// Package kustomization holds the Kustomization reconciler: it takes the
// artifact of the source a Kustomization names, builds the folder it names
// with kustomize, applies the result with server-side apply, prunes what left
// the source and waits for the applied objects to be healthy. Each step is
// in its own file (step_*.go); reconciler.go lists them in order.
package kustomization
