// Package ociartifact reads and writes OCI artifacts the way Flux does, so
// that what Tide pushes Flux's OCIRepository can read, and the reverse. It is
// used by the `tide push|pull|list artifact(s)` commands and by the
// source-controller's OCIRepository reconciler.
//
// The wire format (Flux's contract, see `flux push artifact`):
//   - an OCI image manifest (application/vnd.oci.image.manifest.v1+json)
//     whose config blob has the media type ConfigMediaType (its content is
//     an image config that no reader looks at);
//   - one layer of media type ContentMediaType: a gzip-compressed tarball
//     of a directory;
//   - the manifest annotations SourceAnnotation, RevisionAnnotation and
//     CreatedAnnotation (RFC 3339, UTC), plus any the user adds.
//
// The API:
//
//	Build(w, path, ignorePaths)            a deterministic layer: equal input, equal bytes
//	                                       (DefaultIgnorePaths: flux push artifact's defaults)
//	Extract(r, dest, maxSize)              a safe untar of a gzip layer (refuses ../, absolute
//	                                       paths, escaping symlinks, hard links, devices, size)
//	ParseURL("oci://host/repo:tag")        the reference without the scheme, checked
//	ParseRepositoryURL("oci://host/repo")  the same for a repository
//	KeychainFromDockerConfig(json)         credentials of a dockerconfigjson Secret
//	NewClient(Options)                     credentials, docker config JSON, TLS, proxy,
//	                                       plain HTTP, user agent, transport
//	(*Client).Push(ctx, url, path, Metadata, ignorePaths)  → manifest digest
//	(*Client).Pull(ctx, url, dest, maxSize)                → *Metadata
//	(*Client).Resolve(ctx, url)            the manifest digest, with one HEAD request
//	(*Client).Get(ctx, url)                the manifest (one GET), as an *Artifact
//	(*Artifact).Layer(mediaType)           a layer's descriptor ("" for the first)
//	(*Client).OpenLayer(ctx, a, layer, maxSize)    a layer's stored bytes (for "copy")
//	(*Client).ExtractLayer(ctx, a, layer, dest, maxSize)  download, Extract, check the digest
//	(*Client).ListTags(ctx, repoURL)       the repository's tags
//	(*Client).ListArtifacts(ctx, repoURL, ListOptions)  tags with their metadata
//
// A Client keeps the registry's authentication handshake and connections
// between calls, so a caller that asks the same registry often (a
// reconciler) should keep one Client per set of credentials.
//
// Errors a user can fix carry one of the sentinel errors of errors.go
// (ErrInvalidURL, ErrInvalidCredentials, ErrUnauthorized, ErrNotFound,
// ErrUnsupportedManifest, ErrLayerNotFound, ErrTooLarge, ErrUnsafeArchive,
// ErrInvalidArchive),
// to be tested with errors.Is; their messages say what to do and never hold
// a password.
package ociartifact
