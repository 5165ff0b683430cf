package artifact

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"strings"
)

// hashes are the digest algorithms the source-controller may use, with the
// length of their hex form.
var hashes = map[string]struct {
	newHash func() hash.Hash
	hexLen  int
}{
	"sha256": {sha256.New, 2 * sha256.Size},
	"sha384": {sha512.New384, 2 * sha512.Size384},
	"sha512": {sha512.New, 2 * sha512.Size},
}

// digest is a parsed "<algo>:<hex>" artifact digest.
type digest struct {
	algo string
	hex  string // lower case
}

// parseDigest checks the digest's form, so a typo fails before any download.
func parseDigest(s string) (digest, error) {
	algo, hexPart, ok := strings.Cut(s, ":")
	h, known := hashes[algo]
	if !ok || !known {
		return digest{}, newError(ErrInvalidDigest,
			"invalid artifact digest %q: want <algorithm>:<hex> with sha256, sha384 or sha512; the source status is wrong or from an unsupported version", s)
	}
	hexPart = strings.ToLower(hexPart)
	if _, err := hex.DecodeString(hexPart); err != nil || len(hexPart) != h.hexLen {
		return digest{}, newError(ErrInvalidDigest,
			"invalid artifact digest %q: want %d hex digits after %q", s, h.hexLen, algo+":")
	}
	return digest{algo: algo, hex: hexPart}, nil
}

func (d digest) String() string { return d.algo + ":" + d.hex }

// newHash returns a fresh hash of the digest's algorithm.
func (d digest) newHash() hash.Hash { return hashes[d.algo].newHash() }

// dirName is the name of the digest's unpacked tree inside the cache dir. It
// uses '-' rather than ':' so the path is also usable where ':' is special
// (PATH-like lists, Windows).
func (d digest) dirName() string { return d.algo + "-" + d.hex }

// isDigestDirName reports whether a name in the cache dir is an unpacked tree
// written by dirName.
func isDigestDirName(name string) bool {
	algo, hexPart, ok := strings.Cut(name, "-")
	_, err := parseDigest(algo + ":" + hexPart)
	return ok && err == nil && hexPart == strings.ToLower(hexPart)
}
