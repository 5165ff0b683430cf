// Package bootstrap connects a cluster to a fleet repository the way
// `flux bootstrap git` does: it commits Tide's install manifests and the
// sync objects under <path>/flux-system (Flux's file names), installs the
// controllers, stores the Git credentials in the flux-system Secret, and
// waits until the cluster syncs itself from that folder.
package bootstrap
