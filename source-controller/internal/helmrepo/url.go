package helmrepo

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	repo "helm.sh/helm/v4/pkg/repo/v1"
)

// NormalizeURL checks that repoURL is an http(s) URL and returns it with
// exactly one trailing slash on its path, as Flux normalises it, so that
// "https://h/charts" and "https://h/charts/" are one repository.
func NormalizeURL(repoURL string) (string, error) {
	u, err := url.Parse(repoURL)
	if err != nil {
		return "", fmt.Errorf("%w %q: %s: give an http:// or https:// URL", ErrInvalidURL, redact(repoURL), parseReason(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("%w %q: the scheme must be http or https for a repository of type 'default' (use type 'oci' for oci:// URLs)",
			ErrInvalidURL, u.Redacted())
	}
	if u.Host == "" {
		return "", fmt.Errorf("%w %q: no host", ErrInvalidURL, u.Redacted())
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/"
	if u.RawPath != "" {
		u.RawPath = strings.TrimRight(u.RawPath, "/") + "/"
	}
	return u.String(), nil
}

// IndexURL is the address of the repository's index.yaml; a query string
// in the repository URL is kept, as Helm keeps it.
func IndexURL(repoURL string) (string, error) {
	base, err := NormalizeURL(repoURL)
	if err != nil {
		return "", err
	}
	u, _ := url.Parse(base)
	u.Path += "index.yaml"
	if u.RawPath != "" {
		u.RawPath += "index.yaml"
	}
	return u.String(), nil
}

// ChartURL resolves a chart's URL from the index (its first 'urls' entry,
// relative or absolute) against the repository URL, as Helm does.
func ChartURL(repoURL, ref string) (string, error) {
	base, err := NormalizeURL(repoURL)
	if err != nil {
		return "", err
	}
	resolved, err := repo.ResolveReferenceURL(base, ref)
	if err != nil {
		return "", fmt.Errorf("%w: chart URL %q in the index: %s", ErrInvalidURL, redact(ref), parseReason(err))
	}
	return resolved, nil
}

// redact returns s without the password of its user info, or a
// placeholder when s does not parse (it may hold anything).
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// parseReason is a url.Error's cause without the URL it quotes, which may
// carry credentials.
func parseReason(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err.Error()
	}
	return "not a URL"
}
