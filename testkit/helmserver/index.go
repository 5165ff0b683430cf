package helmserver

import (
	"fmt"
	"strings"

	chart "helm.sh/helm/v4/pkg/chart/v2"
	repo "helm.sh/helm/v4/pkg/repo/v1"
	"sigs.k8s.io/yaml"
)

// buildIndex is the index.yaml of packages (file name to .tgz), with chart
// URLs relative to the repository, or absolute under chartBase when set.
func buildIndex(charts []Chart, packages map[string][]byte, chartBase string) ([]byte, error) {
	idx := repo.NewIndexFile()
	idx.Generated = fixedTime
	for _, c := range charts {
		data := packages[c.fileName()]
		md := &chart.Metadata{
			APIVersion: chart.APIVersionV2, Name: c.Name, Version: c.Version,
			AppVersion: c.Version, Description: "a chart made by Tide's tests", Type: "application",
		}
		if err := idx.MustAdd(md, c.fileName(), chartBase, "sha256:"+digestOf(data)); err != nil {
			return nil, fmt.Errorf("index %s: %w", c.fileName(), err)
		}
	}
	for _, versions := range idx.Entries {
		for _, v := range versions {
			v.Created = fixedTime
		}
	}
	idx.SortEntries()
	return yaml.Marshal(idx)
}

// LargeIndex returns the index.yaml of a repository of charts × versions
// chart versions (charts named chart-0000..., versions 1.0.0, 1.1.0, ...,
// newest first as Helm sorts them), with the metadata a real repository
// carries; 5,000 × 10 is about 20 MB. It is written as text, in the layout
// Helm writes, because marshalling 50,000 entries with the SDK takes a
// minute on a small machine; TestLargeIndexIsHelms checks Helm reads it.
// Its charts are not served: it is for index fetching and parsing
// benchmarks.
func LargeIndex(charts, versions int) []byte {
	var b strings.Builder
	b.Grow(charts * versions * 420)
	b.WriteString("apiVersion: v1\nentries:\n")
	for c := range charts {
		name := fmt.Sprintf("chart-%04d", c)
		fmt.Fprintf(&b, "  %s:\n", name)
		for v := versions - 1; v >= 0; v-- {
			version := fmt.Sprintf("1.%d.0", v)
			fmt.Fprintf(&b, `  - apiVersion: v2
    appVersion: %[2]s
    created: "2026-01-01T00:00:00Z"
    description: A generated chart of a large repository
    digest: %[3]s
    home: https://example.com/charts/%[1]s
    keywords:
    - generated
    - %[1]s
    name: %[1]s
    type: application
    urls:
    - charts/%[1]s-%[2]s.tgz
    version: %[2]s
`, name, version, digestOf([]byte(name+version)))
		}
	}
	b.WriteString("generated: \"2026-01-01T00:00:00Z\"\n")
	return []byte(b.String())
}
