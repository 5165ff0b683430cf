package ociartifact

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Push builds the content layer of path (see Build) and pushes it to url
// (oci://host/repo:tag) as Flux's artifact: an OCI manifest with Flux's
// config and content media types and meta as annotations. meta.Created
// defaults to now (UTC). It returns the manifest digest ("sha256:…").
//
// Equal content and equal meta (including Created, e.g. ReproducibleCreated)
// give an equal digest.
func (c *Client) Push(ctx context.Context, url, path string, meta Metadata, ignorePaths []string) (string, error) {
	ref, err := c.reference(url)
	if err != nil {
		return "", err
	}
	if _, ok := ref.(name.Tag); !ok {
		return "", newError(ErrInvalidURL, "%s names a digest: push to a tag, oci://<host>/<repository>:<tag>", url)
	}
	img, cleanup, err := buildImage(path, meta, ignorePaths)
	defer cleanup()
	if err != nil {
		return "", err
	}
	if err := c.pusher.Push(ctx, ref, img); err != nil {
		return "", classify(err, "pushing to", ref.String())
	}
	digest, err := img.Digest()
	if err != nil {
		return "", err
	}
	return digest.String(), nil
}

// buildImage makes the artifact's manifest around a layer built into a
// temporary file, which cleanup removes.
func buildImage(path string, meta Metadata, ignorePaths []string) (v1.Image, func(), error) {
	cleanup := func() {}
	tmp, err := os.CreateTemp("", "tide-artifact-*.tar.gz")
	if err != nil {
		return nil, cleanup, err
	}
	cleanup = func() { os.Remove(tmp.Name()) }
	err = Build(tmp, path, ignorePaths)
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return nil, cleanup, err
	}
	layer, err := tarball.LayerFromFile(tmp.Name(), tarball.WithMediaType(ContentMediaType))
	if err != nil {
		return nil, cleanup, fmt.Errorf("reading the built layer: %w", err)
	}
	if meta.Created == "" {
		meta.Created = time.Now().UTC().Format(time.RFC3339)
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, ConfigMediaType)
	img = mutate.Annotations(img, meta.ToAnnotations()).(v1.Image)
	img, err = mutate.Append(img, mutate.Addendum{Layer: layer})
	if err != nil {
		return nil, cleanup, fmt.Errorf("adding the layer: %w", err)
	}
	return img, cleanup, nil
}
