package helmindex

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
	repo "helm.sh/helm/v4/pkg/repo/v1"
)

var (
	// ErrChartNotFound: the index has no chart of that name.
	ErrChartNotFound = errors.New("chart not found")
	// ErrNoMatch: no version of the chart is in the range.
	ErrNoMatch = errors.New("no chart version matches")
	// ErrInvalidRange: the version is neither a version nor a semver range.
	ErrInvalidRange = errors.New("invalid version range")
)

// Latest returns the newest version of the chart name in versionRange,
// with Flux's rules: a version equal to the string wins outright; "" and
// "*" mean the newest stable version; prereleases match only a range that
// names one (e.g. ">=1.0.0-0"); versions that are not strict semver (a
// leading "v" allowed) are ignored; equal versions (differing only in
// build metadata) go by their created time.
func Latest(idx *repo.IndexFile, name, versionRange string) (*repo.ChartVersion, error) {
	versions, ok := idx.Entries[name]
	if !ok || len(versions) == 0 {
		return nil, fmt.Errorf("%w: the repository has no chart '%s': check spec.chart", ErrChartNotFound, name)
	}
	if versionRange != "" {
		for _, cv := range versions {
			if cv.Version == versionRange {
				return cv, nil
			}
		}
	}
	if versionRange == "" {
		versionRange = "*"
	}
	constraint, err := semver.NewConstraint(versionRange)
	if err != nil {
		return nil, fmt.Errorf("%w '%s': %s: give a version or a range such as '>=1.0.0 <2.0.0'", ErrInvalidRange, versionRange, err)
	}
	var best *repo.ChartVersion
	var bestVersion *semver.Version
	for _, cv := range versions {
		v, err := parseVersion(cv.Version)
		if err != nil || !constraint.Check(v) {
			continue
		}
		if best == nil || newer(v, cv, bestVersion, best) {
			best, bestVersion = cv, v
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%w: no version of chart '%s' is in '%s' (newest: %s): change spec.version",
			ErrNoMatch, name, versionRange, newestListed(versions))
	}
	return best, nil
}

func newer(v *semver.Version, cv *repo.ChartVersion, than *semver.Version, thanCV *repo.ChartVersion) bool {
	if c := v.Compare(than); c != 0 {
		return c > 0
	}
	return cv.Created.After(thanCV.Created)
}

// parseVersion accepts strict semver with an optional leading "v", as Flux.
func parseVersion(s string) (*semver.Version, error) {
	if _, err := semver.StrictNewVersion(strings.TrimPrefix(s, "v")); err != nil {
		return nil, err
	}
	return semver.NewVersion(s)
}

// newestListed names up to three of the newest versions, to help fix the
// range.
func newestListed(versions repo.ChartVersions) string {
	names := make([]string, 0, 3)
	for _, cv := range versions[:min(3, len(versions))] {
		names = append(names, cv.Version)
	}
	return strings.Join(slices.Clip(names), ", ")
}
