// Package ocirepository is the OCIRepository reconciler: it resolves an OCI
// artifact's tag, semver range or digest in a registry, pulls the selected
// layer only when the remote digest (or the spec's content options)
// changed, and stores it as a tarball artifact whose URL, revision, digest
// and manifest annotations go into the object's status.
//
// Its steps, in order (reconciler.go lists them in one place):
//
//	storage   forget a recorded artifact whose file is gone; refresh its URL
//	spec      check spec.url; stall on what Tide does not support (provider, verify)
//	auth      read the docker config, TLS and proxy Secrets
//	resolve   ask the registry for the ref's digest: one manifest HEAD
//	pull      fetch the manifest and the selected layer, when outdated
//	archive   extract (or copy) the layer into a new artifact; record it
//	gc        delete old artifacts of this object
//
// When the remote digest and the spec's content options (ignore,
// layerSelector) match the stored artifact, nothing is downloaded: one
// manifest HEAD per interval is all the registry sees (none for a digest
// ref, which cannot move).
package ocirepository
