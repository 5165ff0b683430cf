package release

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
	goyaml "sigs.k8s.io/yaml/goyaml.v2"
)

// ValuesDigest is the digest of a release's values as Flux writes it in
// status.lastAttemptedConfigDigest and history[].configDigest: the SHA-256
// of the values encoded as YAML with keys sorted at every level; no values
// at all (nil or empty) hash as nothing. Writing it as Flux does lets Tide
// take over a release from Flux without an upgrade.
func ValuesDigest(values map[string]any) string {
	h := sha256.New()
	if len(values) > 0 {
		doc := yaml.JSONObjectToYAMLObject(values)
		sortKeys(doc)
		if err := goyaml.NewEncoder(h).Encode(doc); err != nil {
			return ""
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// sortKeys orders the keys of doc, and of the maps inside it, so that equal
// values always encode alike (maps come out of Go in random order).
func sortKeys(doc goyaml.MapSlice) {
	slices.SortFunc(doc, func(a, b goyaml.MapItem) int {
		return strings.Compare(a.Key.(string), b.Key.(string))
	})
	for _, item := range doc {
		switch v := item.Value.(type) {
		case goyaml.MapSlice:
			sortKeys(v)
		case []any:
			for _, e := range v {
				if m, ok := e.(goyaml.MapSlice); ok {
					sortKeys(m)
				}
			}
		}
	}
}

// digestJSON is the SHA-256 of v's JSON encoding, in the "sha256:<hex>"
// form of every digest in a HelmRelease's status.
func digestJSON(v any) string {
	h := sha256.New()
	if err := json.NewEncoder(h).Encode(v); err != nil {
		return ""
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
