package ociartifact

import (
	"context"
	"errors"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Pull fetches the artifact url points to and extracts its content layer
// (the first layer of ContentMediaType, else the first layer, as `flux pull
// artifact` takes) into dest with Extract's checks. maxSize bounds both the
// download and what it unpacks to (0: DefaultMaxSize; NoSizeLimit: none).
// It returns the artifact's metadata, with Digest and URL set.
func (c *Client) Pull(ctx context.Context, url, dest string, maxSize int64) (*Metadata, error) {
	a, err := c.Get(ctx, url)
	if err != nil {
		return nil, err
	}
	layer, err := a.Layer(ContentMediaType)
	if errors.Is(err, ErrLayerNotFound) {
		layer, err = a.Layer("")
	}
	if err != nil {
		return nil, err
	}
	if err := c.ExtractLayer(ctx, a, layer, dest, maxSize); err != nil {
		return nil, err
	}
	meta := a.Metadata
	return &meta, nil
}

// ExtractLayer downloads a layer of a (one GET request) and extracts it into
// dest with Extract's checks, then reads the stream to its end so that the
// digest is checked (ErrInvalidArchive on a mismatch). maxSize bounds both
// the download and what it unpacks to (0: DefaultMaxSize; NoSizeLimit:
// none). On error dest may hold part of the layer.
func (c *Client) ExtractLayer(ctx context.Context, a *Artifact, layer v1.Descriptor, dest string, maxSize int64) error {
	if maxSize == 0 {
		maxSize = DefaultMaxSize
	}
	rc, err := c.OpenLayer(ctx, a, layer, maxSize)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := Extract(rc, dest, maxSize); err != nil {
		return err
	}
	// The digest is checked at the end of the stream, past the tarball's
	// own end: read the rest. The stream says how it failed.
	if _, err := io.Copy(io.Discard, rc); err != nil {
		if _, ok := errors.AsType[*kindError](err); ok {
			return err
		}
		return fmt.Errorf("downloading the layer %s of %s: %w", layer.Digest, a.Ref, err)
	}
	return nil
}
