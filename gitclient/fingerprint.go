package gitclient

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// KeysFingerprint identifies the trusted public keys of a verification
// secret, as "sha256:<hex>". Only the values that VerifyCommit and VerifyTag
// read (keys ending in ".asc" or ".sshpub") count, and only their content:
// renaming a data key, or renaming the Secret, keeps the fingerprint, while
// adding, removing or changing a key changes it. The result reveals nothing
// of the keys, so it may go into status.
func KeysFingerprint(keys map[string][]byte) string {
	var digests []string
	for name, value := range keys {
		if !strings.HasSuffix(name, PGPKeySuffix) && !strings.HasSuffix(name, SSHKeySuffix) {
			continue
		}
		sum := sha256.Sum256(value)
		digests = append(digests, hex.EncodeToString(sum[:]))
	}
	// Sorted and deduplicated, so that neither map order nor a key stored
	// twice changes the result.
	slices.Sort(digests)
	digests = slices.Compact(digests)
	sum := sha256.Sum256([]byte(strings.Join(digests, "\n")))
	return "sha256:" + hex.EncodeToString(sum[:])
}
