package chartbuild

import (
	"github.com/Masterminds/semver/v3"
)

// VersionWithMetadata returns the chart version with metadata appended
// after a "+" (replacing any it had), or the version unchanged when
// metadata is empty.
func VersionWithMetadata(version, metadata string) (string, error) {
	if metadata == "" {
		return version, nil
	}
	v, err := semver.NewVersion(version)
	if err != nil {
		return "", newError(ReasonMetadataPatch, "chart version '%s' is not semver: %w", version, err)
	}
	withMeta, err := v.SetMetadata(metadata)
	if err != nil {
		return "", newError(ReasonMetadataPatch, "set metadata '%s' on chart version '%s': %w", metadata, version, err)
	}
	return withMeta.String(), nil
}
