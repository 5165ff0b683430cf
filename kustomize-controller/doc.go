// Package kustomizecontroller is the home of Tide's kustomize-controller: it
// downloads a source artifact, builds it with kustomize, applies the result
// with server-side apply, prunes what left Git and checks health. Its
// reconciler and binary are built in the kustomize-controller issue.
package kustomizecontroller
