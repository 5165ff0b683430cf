// Package sourcecontroller is Tide's source-controller: it turns
// GitRepository objects into tarball artifacts, serves them over HTTP and
// records their URL, revision and digest in the object's status.
//
//	cmd/source-controller     the binary: flags and wiring
//	internal/gitrepository    the GitRepository reconciler, one file per step
//	internal/gitclient        Git on go-git: credentials, ref resolution, checkout, signatures
//	internal/storage          artifact storage: deterministic tarballs, atomic writes, GC
//	internal/artifactserver   the HTTP file server for artifacts
//	internal/ignore           which files of a checkout go into an artifact
package sourcecontroller
