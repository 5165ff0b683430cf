package registry

import (
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// ParseImage reads spec.image of an ImageRepository: a repository without a
// URL scheme and without a tag or digest, as Flux accepts it. The result's
// String() is the canonical image name Flux reports in
// status.canonicalImageName: the registry made explicit and Docker Hub's
// "library/" added ("nginx" → "index.docker.io/library/nginx"). insecure
// (spec.insecure) makes the registry be reached over plain HTTP.
func ParseImage(image string, insecure bool) (name.Repository, error) {
	if scheme, _, ok := strings.Cut(image, "://"); ok {
		return name.Repository{}, newError(ErrInvalidImage,
			"image '%s' should not include a URL scheme: remove '%s://' from spec.image", image, scheme)
	}
	var opts []name.Option
	if insecure {
		opts = append(opts, name.Insecure)
	}
	ref, err := name.ParseReference(image, opts...)
	if err != nil {
		return name.Repository{}, newError(ErrInvalidImage,
			"image '%s' is not a valid image name (%s): fix spec.image", image, err.Error())
	}
	// A tag or digest given by the user shows after the registry's host
	// (whose port also has a colon).
	path := strings.TrimPrefix(image, ref.Context().RegistryStr())
	if i := strings.IndexAny(path, ":@"); i >= 0 {
		return name.Repository{}, newError(ErrInvalidImage,
			"image '%s' should not include a tag or digest: remove '%s' from spec.image (the policy picks the tag)", image, path[i:])
	}
	return ref.Context(), nil
}
