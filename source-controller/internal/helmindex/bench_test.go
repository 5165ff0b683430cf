package helmindex

import (
	"encoding/json"
	"testing"

	"github.com/tidegitops/tide/testkit/helmserver"
)

// BenchmarkParseLargeIndex parses a 20 MB index (5,000 charts × 10
// versions) as a repository serves it (YAML) and as the HelmRepository
// artifact stores it (JSON), which is what HelmCharts parse, once per
// digest.
func BenchmarkParseLargeIndex(b *testing.B) {
	raw := helmserver.LargeIndex(5000, 10)
	index, err := Parse(raw)
	if err != nil {
		b.Fatal(err)
	}
	stored, err := json.Marshal(index)
	if err != nil {
		b.Fatal(err)
	}
	for name, data := range map[string][]byte{"yaml": raw, "json": stored} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Parse(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
