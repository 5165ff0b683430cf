package ociartifact

import (
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// ParseURL checks an artifact URL, oci://<host>/<repository>[:<tag>|@<digest>],
// and returns it without the scheme, as registries name it. A URL without a
// tag or digest means the tag "latest", as in Flux.
func ParseURL(ociURL string) (string, error) {
	ref, err := trimScheme(ociURL)
	if err != nil {
		return "", err
	}
	if _, err := name.ParseReference(ref); err != nil {
		return "", wrapError(ErrInvalidURL, err,
			"%q is not a valid artifact URL (%v): use oci://<host>/<repository>:<tag>", ociURL, err)
	}
	return ref, nil
}

// ParseRepositoryURL is ParseURL for a repository, without tag or digest, as
// ListTags and ListArtifacts take.
func ParseRepositoryURL(ociURL string) (string, error) {
	repo, err := trimScheme(ociURL)
	if err != nil {
		return "", err
	}
	if _, err := name.NewRepository(repo); err != nil {
		return "", wrapError(ErrInvalidURL, err,
			"%q is not a valid repository URL (%v): use oci://<host>/<repository>, without a tag", ociURL, err)
	}
	return repo, nil
}

func trimScheme(ociURL string) (string, error) {
	ref, ok := strings.CutPrefix(ociURL, URLPrefix)
	if !ok {
		return "", newError(ErrInvalidURL, "%q is not an artifact URL: it must start with %s", ociURL, URLPrefix)
	}
	return ref, nil
}

// reference parses an artifact URL (with or without oci://) for the client,
// as plain HTTP when the client is insecure.
func (c *Client) reference(url string) (name.Reference, error) {
	ref, err := c.refString(url)
	if err != nil {
		return nil, err
	}
	parsed, err := name.ParseReference(ref, c.nameOptions()...)
	if err != nil {
		return nil, wrapError(ErrInvalidURL, err,
			"%q is not a valid artifact URL (%v): use oci://<host>/<repository>:<tag>", url, err)
	}
	return parsed, nil
}

func (c *Client) repository(url string) (name.Repository, error) {
	repo, err := c.refString(url)
	if err != nil {
		return name.Repository{}, err
	}
	parsed, err := name.NewRepository(repo, c.nameOptions()...)
	if err != nil {
		return name.Repository{}, wrapError(ErrInvalidURL, err,
			"%q is not a valid repository URL (%v): use oci://<host>/<repository>, without a tag", url, err)
	}
	return parsed, nil
}

// refString accepts both oci://host/repo and host/repo: callers hold either.
func (c *Client) refString(url string) (string, error) {
	if strings.HasPrefix(url, URLPrefix) {
		return trimScheme(url)
	}
	if strings.Contains(url, "://") {
		return "", newError(ErrInvalidURL, "%q is not an artifact URL: it must start with %s", url, URLPrefix)
	}
	return url, nil
}

func (c *Client) nameOptions() []name.Option {
	if c.opts.Insecure {
		return []name.Option{name.Insecure}
	}
	return nil
}
