package helmrender

import (
	"crypto/sha256"
	"encoding/hex"
)

// shortenName is the helm-controller's release name rule (Flux's): a name
// over Helm's limit of 53 characters becomes its first 40 characters, a
// dash and the first 12 hex digits of the SHA-256 of the whole name.
func shortenName(name string) string {
	const maxLength, hashLength = 53, 12
	if len(name) <= maxLength {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return name[:maxLength-hashLength-1] + "-" + hex.EncodeToString(sum[:])[:hashLength]
}
