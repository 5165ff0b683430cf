// Package localbuild builds a Kustomization from a local checkout exactly as
// the kustomize-controller does: the same build library, the same owner
// labels and the same post-build substitution, with the variables read from
// the cluster's ConfigMaps and Secrets. `tide build` prints the result and
// `tide diff` compares it with the cluster.
package localbuild
