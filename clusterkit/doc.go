// Package clusterkit holds the Kubernetes-side code both appliers (the
// kustomize- and helm-controller) need, so neither copies nor imports the
// other: health checking of applied objects (kstatus and CEL expressions)
// and access to the target cluster (spec.kubeConfig, spec.serviceAccountName
// impersonation). Each lives in its own sub-package.
package clusterkit
