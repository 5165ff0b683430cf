// Package generate builds the objects `tide create` writes — the sources
// (GitRepository, HelmRepository, HelmChart, OCIRepository), Kustomization
// and Git credential Secrets — from the command's flags,
// validating them with messages that say what to pass instead. It never
// talks to the cluster.
package generate
