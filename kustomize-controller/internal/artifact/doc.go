// Package artifact fetches source artifacts for the kustomize-controller and
// shares their unpacked content.
//
// A source artifact is a .tar.gz that the source-controller serves over plain
// HTTP, named by a digest such as "sha256:<hex>". Many Kustomizations usually
// point at one source, so they ask for the same digest: a Cache downloads,
// verifies and unpacks each digest once and hands every caller the same
// read-only directory. With 1,000 Kustomizations on one Git repository that
// is one download instead of 1,000.
//
// The order of work is what keeps it safe: the archive is downloaded to a
// temporary file while it is hashed, the digest is compared, and only then is
// it unpacked, into a temporary directory that is renamed into place once the
// whole archive was accepted. A tree that is half unpacked, or that came from
// an archive with a path leaving the root, is never handed out.
//
// Errors come in kinds that callers tell apart with errors.Is (ErrDownload,
// ErrDigestMismatch, ErrUnsafeArchive, ...). Their messages are written for
// the user, since they end up in a Kubernetes condition, and never carry the
// credentials or query string of the artifact URL.
package artifact
