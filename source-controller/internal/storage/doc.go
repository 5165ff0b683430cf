// Package storage keeps the source-controller's artifacts on local disk.
//
// An artifact is a deterministic .tar.gz of a source checkout, stored at
// "<lowercase kind>/<namespace>/<name>/<file>" under a storage root and
// described by a meta.Artifact (path, URL, revision, digest, size, time) that
// the reconciler records in the object's status. Consumers download the URL
// and verify the "sha256:<hex>" digest, so the same content must always give
// the same bytes.
//
// The package deliberately has no Kubernetes client: it only deals with
// files, which keeps it testable without a cluster.
//
// API:
//
//	New(root, advertisedAddr, retentionTTL, retentionRecords) (*Storage, error)
//	    Creates root if missing and proves it is writable.
//	(*Storage).NewArtifact(kind, namespace, name, revision, fileName) (meta.Artifact, error)
//	    Builds Path, URL ("http://<advertisedAddr>/<Path>") and Revision.
//	(*Storage).LocalPath(a) string       // "" if a.Path is not a valid artifact path
//	(*Storage).Exists(a) bool
//	(*Storage).Lock(a) (unlock func())   // per object (kind/namespace/name)
//	(*Storage).Archive(a *meta.Artifact, dir string, filter Filter) error
//	(*Storage).CopyFromArtifact(a, fromPath, toDir string) error
//	(*Storage).GarbageCollect(current) (deleted []string, err error)
//	(*Storage).RemoveAll(kind, namespace, name string) error
//	(*Storage).Root() string
//
// Concurrency: Lock is an in-process mutex per object. Callers hold it around
// Archive, GarbageCollect and RemoveAll for one object so that garbage
// collection never races with a write of the same object; different objects
// proceed in parallel.
//
// Safety rules, enforced here rather than trusted to callers:
//   - kind, namespace, name and fileName must be non-empty, must not start
//     with "." and must not contain "/", "\", ".." or NUL, so an artifact
//     path can never leave its object's directory.
//   - Archive never follows a symlink out of the archived directory (see
//     Archive for the exact rules) and never includes ".git".
//   - CopyFromArtifact never writes outside its target directory: it returns
//     an error on the first unsafe tar entry (absolute path, "..", link,
//     device) instead of skipping it, because our own artifacts never contain
//     such entries and one that does is corrupt or tampered with.
//   - Artifacts are written to a temp file, fsynced and renamed into place, so
//     a reader never sees a half-written file.
package storage
