package naming

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// OCIChartVersion returns the version a chart of an OCIRepository is
// released with, as Flux releases it: the chart's version with the first
// 12 hex digits of the artifact's digest as build metadata (so that a new
// artifact of the same version upgrades the release); and the digest. The
// revision is <tag>@<algorithm>:<hex>, whose tag must be the chart's
// version, or a digest alone.
func OCIChartVersion(version, revision string) (string, string, error) {
	ver, err := semver.NewVersion(version)
	if err != nil {
		return "", "", fmt.Errorf("chart version '%s' is not semver: %w", version, err)
	}
	digest := revision
	if tag, d, ok := strings.Cut(revision, "@"); ok {
		tagVer, err := semver.NewVersion(tag)
		if err != nil || !tagVer.Equal(ver) {
			return "", "", fmt.Errorf("artifact revision %s does not match chart version %s: tag the artifact with the chart's version", tag, version)
		}
		digest = d
	}
	_, hexPart, ok := strings.Cut(digest, ":")
	if !ok || len(hexPart) < 12 {
		return "", "", fmt.Errorf("invalid artifact revision %s: want [<tag>@]<algorithm>:<digest>", revision)
	}
	withMeta, err := ver.SetMetadata(hexPart[:12])
	if err != nil {
		return "", "", err
	}
	return withMeta.String(), digest, nil
}
