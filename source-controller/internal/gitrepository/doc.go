// Package gitrepository is the GitRepository reconciler: it turns a Git ref
// into a tarball artifact in storage and records its URL, revision and
// digest in the object's status.
//
// Its steps, in order (reconciler.go lists them in one place):
//
//	storage   forget a recorded artifact whose file is gone; refresh its URL
//	auth      read the credentials Secret (and proxy Secret)
//	resolve   ask the remote for the ref's commit, without cloning
//	include   find the artifacts of the included GitRepositories
//	checkout  clone the commit, only when the stored artifact is outdated
//	verify    check the commit or tag signature against trusted keys
//	archive   write the artifact and record it in status
//	gc        delete old artifacts of this object
//
// When the remote head, the included artifacts and the spec's content
// options all match what the stored artifact was built from, nothing is
// cloned: one ref advertisement per interval is all the Git server sees.
package gitrepository
