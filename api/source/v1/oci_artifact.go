package v1

// The on-the-wire layout of the OCI artifacts that `flux push artifact`
// writes and Flux's OCIRepository reads. Tide's CLI pushes and its
// source-controller reads the same layout, so artifacts move freely between
// the two. (Flux keeps these in fluxcd/pkg/oci, which Tide does not use.)
const (
	// OCIArtifactConfigMediaType is the media type of the artifact's config
	// blob.
	OCIArtifactConfigMediaType = "application/vnd.cncf.flux.config.v1+json"
	// OCIArtifactContentMediaType is the media type of the layer holding
	// the gzipped tarball of files.
	OCIArtifactContentMediaType = "application/vnd.cncf.flux.content.v1.tar+gzip"
	// HelmChartContentMediaType is the media type of a chart layer pushed
	// by Helm to an OCI registry.
	HelmChartContentMediaType = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"

	// OCISourceAnnotation is the manifest annotation naming where the
	// content came from (e.g. a Git URL).
	OCISourceAnnotation = "org.opencontainers.image.source"
	// OCIRevisionAnnotation is the manifest annotation naming the content's
	// revision at its origin (e.g. 'main@sha1:<commit>'). The
	// kustomize-controller reports it as status.lastAppliedOriginRevision.
	OCIRevisionAnnotation = "org.opencontainers.image.revision"
	// OCICreatedAnnotation is the manifest annotation with the creation
	// time (RFC 3339).
	OCICreatedAnnotation = "org.opencontainers.image.created"
)
