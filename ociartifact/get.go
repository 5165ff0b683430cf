package ociartifact

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	neturl "net/url"
	"syscall"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Artifact is a manifest read from a registry.
type Artifact struct {
	// Ref is the URL asked for; Repository is its repository (host/repo).
	Ref, Repository string
	// Digest is the manifest's digest, "sha256:…".
	Digest   string
	Manifest *v1.Manifest
	// Metadata holds the manifest's annotations, Digest and URL (Ref with
	// oci://).
	Metadata Metadata

	repo name.Repository
}

// Resolve returns the manifest digest ("sha256:…") that url points to, with
// one HEAD request and no download: the way to learn that nothing changed.
// A registry that refuses HEAD is asked with GET instead.
func (c *Client) Resolve(ctx context.Context, url string) (string, error) {
	ref, err := c.reference(url)
	if err != nil {
		return "", err
	}
	desc, err := c.puller.Head(ctx, ref)
	if err != nil {
		// Only a registry that answered HEAD with an error of its own is
		// asked again with GET: a refusal, a missing manifest or an
		// unreachable registry would answer GET the same.
		classified := classify(err, "resolving", ref.String())
		var netErr *neturl.Error
		if errors.Is(classified, ErrUnauthorized) || errors.Is(classified, ErrNotFound) ||
			errors.As(err, &netErr) || ctx.Err() != nil {
			return "", classified
		}
		a, getErr := c.Get(ctx, url)
		if getErr != nil {
			return "", getErr
		}
		return a.Digest, nil
	}
	return desc.Digest.String(), nil
}

// Get reads the manifest url points to, with one GET request. It refuses
// with ErrUnsupportedManifest a manifest that is not an image manifest (an
// index, say).
func (c *Client) Get(ctx context.Context, url string) (*Artifact, error) {
	ref, err := c.reference(url)
	if err != nil {
		return nil, err
	}
	desc, err := c.puller.Get(ctx, ref)
	if err != nil {
		return nil, classify(err, "fetching", ref.String())
	}
	if desc.MediaType.IsIndex() {
		return nil, newError(ErrUnsupportedManifest,
			"%s is an image index (%s), not an artifact: point to an artifact pushed by tide or flux push artifact", ref, desc.MediaType)
	}
	manifest, err := v1.ParseManifest(bytes.NewReader(desc.Manifest))
	if err != nil {
		return nil, wrapError(ErrUnsupportedManifest, err, "%s has a manifest that cannot be read (%v)", ref, err)
	}
	meta := MetadataFromAnnotations(manifest.Annotations)
	meta.Digest = desc.Digest.String()
	meta.URL = URLPrefix + ref.String()
	return &Artifact{
		Ref:        ref.String(),
		Repository: ref.Context().String(),
		Digest:     desc.Digest.String(),
		Manifest:   manifest,
		Metadata:   meta,
		repo:       ref.Context(),
	}, nil
}

// Layer returns the first layer of the given media type, or the first layer
// when mediaType is empty (what Flux's OCIRepository takes without a
// layerSelector). It fails with ErrLayerNotFound.
func (a *Artifact) Layer(mediaType string) (v1.Descriptor, error) {
	for _, l := range a.Manifest.Layers {
		if mediaType == "" || string(l.MediaType) == mediaType {
			return l, nil
		}
	}
	if mediaType == "" {
		return v1.Descriptor{}, newError(ErrLayerNotFound, "%s has no layer: push an artifact with content", a.Ref)
	}
	return v1.Descriptor{}, newError(ErrLayerNotFound,
		"%s has no layer of media type %q: change the layer selector's mediaType, or push an artifact with such a layer", a.Ref, mediaType)
}

// OpenLayer downloads a layer of a (one GET request) and returns its bytes
// as stored (compressed). A layer over maxSize bytes (> 0) is refused with
// ErrTooLarge, before the download when the manifest says so, or as soon as
// more is read. The digest is checked when the stream is read to its end:
// the final Read fails with ErrInvalidArchive if the bytes do not match.
// Other read errors (network, timeout) are returned as they are, to be
// retried.
func (c *Client) OpenLayer(ctx context.Context, a *Artifact, layer v1.Descriptor, maxSize int64) (io.ReadCloser, error) {
	if maxSize > 0 && layer.Size > maxSize {
		return nil, layerTooLarge(a, layer, maxSize)
	}
	l, err := c.puller.Layer(ctx, a.repo.Digest(layer.Digest.String()))
	if err != nil {
		return nil, classify(err, "fetching a layer of", a.Ref)
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, classify(err, "fetching a layer of", a.Ref)
	}
	return &layerStream{rc: rc, max: maxSize, left: maxSize, a: a, layer: layer}, nil
}

func layerTooLarge(a *Artifact, layer v1.Descriptor, maxSize int64) error {
	return newError(ErrTooLarge,
		"the layer %s of %s is larger than %d bytes: push a smaller artifact or raise the size limit", layer.Digest, a.Ref, maxSize)
}

// layerStream is a layer's download: it fails once more than left bytes
// (when max > 0) have been read, and tells a digest mismatch, which the
// verifying reader below reports at the end, from a failed download.
type layerStream struct {
	rc    io.ReadCloser
	max   int64
	left  int64
	a     *Artifact
	layer v1.Descriptor
}

func (r *layerStream) Read(p []byte) (int, error) {
	capped := r.max > 0
	if capped && int64(len(p)) > r.left+1 {
		p = p[:r.left+1]
	}
	n, err := r.rc.Read(p)
	if capped {
		r.left -= int64(n)
		if r.left < 0 {
			return n, layerTooLarge(r.a, r.layer, r.max)
		}
	}
	if err == nil || errors.Is(err, io.EOF) || isTransient(err) {
		return n, err
	}
	return n, wrapError(ErrInvalidArchive, err,
		"the layer %s of %s does not match its digest (%v): push the artifact again", r.layer.Digest, r.a.Ref, err)
}

func (r *layerStream) Close() error { return r.rc.Close() }

// isTransient reports a failure of the connection, not of the content.
func isTransient(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, syscall.ECONNRESET)
}
