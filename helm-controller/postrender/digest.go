package postrender

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
)

// Digest is status.observedPostRenderersDigest for spec.postRenderers as
// Flux computes it: the SHA-256 of their JSON encoding (Go's encoder, with
// its trailing newline), "sha256:<hex>"; "" when there are none. Computing
// it as Flux does lets Tide take over a HelmRelease from Flux without an
// upgrade.
func Digest(renderers []helmv2.PostRenderer) string {
	if renderers == nil {
		return ""
	}
	return digestJSON(renderers)
}

// CommonMetadataDigest is status.observedCommonMetadataDigest for
// spec.commonMetadata, computed as Digest: "" when it is not set.
func CommonMetadataDigest(m *helmv2.CommonMetadata) string {
	if m == nil {
		return ""
	}
	return digestJSON(m)
}

func digestJSON(v any) string {
	h := sha256.New()
	if err := json.NewEncoder(h).Encode(v); err != nil {
		return ""
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
