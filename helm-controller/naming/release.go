package naming

import (
	"crypto/sha256"
	"encoding/hex"
)

// maxReleaseName is the longest release name Helm accepts.
const maxReleaseName = 53

// ReleaseName keeps a release name Helm accepts, by Flux's rule: a name
// longer than 53 characters becomes its first 40 characters, a dash and
// the first 12 hex digits of the SHA-256 of the whole name. Names that fit
// stay as they are, so that Flux and Tide name the same release alike.
func ReleaseName(name string) string {
	if len(name) <= maxReleaseName {
		return name
	}
	const hashLength = 12
	sum := sha256.Sum256([]byte(name))
	return name[:maxReleaseName-hashLength-1] + "-" + hex.EncodeToString(sum[:])[:hashLength]
}
