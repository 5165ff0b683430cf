package helmchart

import (
	"context"
	"errors"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// ChartVersion is one chart version found in a chart repository.
type ChartVersion struct {
	Name    string
	Version string
	// Ref is the repository's handle to download it: the chart's URL in an
	// HTTP repository, the tag in a registry.
	Ref string
}

// ChartRepository is one chart repository, HTTP or OCI, with the
// credentials of the HelmRepository that names it.
type ChartRepository interface {
	// Resolve returns the newest version of the named chart matching the
	// semver range; the error wraps ErrChartNotFound when there is none.
	Resolve(ctx context.Context, name, versionRange string) (ChartVersion, error)
	// Download returns the packaged chart, failing past limit bytes.
	Download(ctx context.Context, cv ChartVersion, limit int64) ([]byte, error)
}

// HTTPRepositories opens chart repositories served over HTTP(S) with an
// index.yaml (HelmRepository type default).
type HTTPRepositories interface {
	// Open returns the chart repository of a HelmRepository, reading the
	// index from its stored artifact (parsed once per index digest and
	// shared) and its credentials from its Secrets.
	Open(ctx context.Context, repo *sourcev1.HelmRepository) (ChartRepository, error)
	// OpenURL returns an anonymous chart repository at url, for a
	// dependency no HelmRepository of the namespace names.
	OpenURL(ctx context.Context, url string) (ChartRepository, error)
}

// ErrChartNotFound is wrapped by Resolve when no chart version matches.
var ErrChartNotFound = errors.New("no chart version found")

// errAuth marks credentials that cannot be read from their Secret, or
// that the repository refused.
var errAuth = errors.New("unusable or refused credentials")

// mark returns err as it is, but also matching kind with errors.Is, so
// that a kind (ErrChartNotFound, errAuth, chartbuild.ErrTooLarge) adds
// nothing to the message the user reads.
func mark(kind, err error) error { return marked{err: err, kind: kind} }

type marked struct {
	err  error
	kind error
}

func (m marked) Error() string        { return m.err.Error() }
func (m marked) Unwrap() error        { return m.err }
func (m marked) Is(target error) bool { return target == m.kind }
