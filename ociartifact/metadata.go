package ociartifact

import (
	"maps"
	"time"
)

// Flux's media types and annotations: the wire contract with Flux's
// OCIRepository and `flux push artifact`. Untyped, so they compare with
// plain strings (spec.layerSelector.mediaType) and go-containerregistry's
// types.MediaType alike.
const (
	// ConfigMediaType is the media type of an artifact's config blob.
	ConfigMediaType = "application/vnd.cncf.flux.config.v1+json"
	// ContentMediaType is the media type of the layer holding the content,
	// a gzip-compressed tarball.
	ContentMediaType = "application/vnd.cncf.flux.content.v1.tar+gzip"

	// SourceAnnotation names where the content came from, e.g. a Git URL.
	SourceAnnotation = "org.opencontainers.image.source"
	// RevisionAnnotation is the source's revision, e.g. "main@sha1:<commit>".
	RevisionAnnotation = "org.opencontainers.image.revision"
	// CreatedAnnotation is when the artifact was built, RFC 3339 in UTC.
	CreatedAnnotation = "org.opencontainers.image.created"

	// URLPrefix starts every artifact URL, as in OCIRepository's spec.url.
	URLPrefix = "oci://"
)

// Metadata describes an artifact: what Push writes into the manifest's
// annotations and what Pull, Get and ListArtifacts read back.
type Metadata struct {
	Source   string `json:"source_url,omitempty"`
	Revision string `json:"source_revision,omitempty"`
	// Created is RFC 3339; Push sets it to the current time (UTC) when empty.
	Created string `json:"created,omitempty"`
	// Annotations: on Push, more annotations to write (the three above win
	// when set); when read, every annotation of the manifest.
	Annotations map[string]string `json:"annotations,omitempty"`

	// Set when read: the manifest digest ("sha256:…") and the artifact's
	// URL ("oci://host/repo:tag").
	Digest string `json:"digest,omitempty"`
	URL    string `json:"url,omitempty"`
}

// ToAnnotations returns the manifest annotations for m: m.Annotations plus
// the source, revision and created annotations that are set.
func (m Metadata) ToAnnotations() map[string]string {
	out := make(map[string]string, len(m.Annotations)+3)
	maps.Copy(out, m.Annotations)
	for key, value := range map[string]string{
		SourceAnnotation:   m.Source,
		RevisionAnnotation: m.Revision,
		CreatedAnnotation:  m.Created,
	} {
		if value != "" {
			out[key] = value
		}
	}
	return out
}

// MetadataFromAnnotations reads the metadata back from manifest annotations.
func MetadataFromAnnotations(annotations map[string]string) Metadata {
	return Metadata{
		Source:      annotations[SourceAnnotation],
		Revision:    annotations[RevisionAnnotation],
		Created:     annotations[CreatedAnnotation],
		Annotations: maps.Clone(annotations),
	}
}

// ReproducibleCreated is the created time `flux push artifact --reproducible`
// writes (the Unix epoch), so that pushing equal content twice gives an
// equal manifest digest.
var ReproducibleCreated = time.Unix(0, 0).UTC().Format(time.RFC3339)
