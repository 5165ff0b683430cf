package helmindex

import (
	"errors"
	"testing"
	"time"

	chart "helm.sh/helm/v4/pkg/chart/v2"
	repo "helm.sh/helm/v4/pkg/repo/v1"
)

func indexOf(versions ...string) *repo.IndexFile {
	idx := repo.NewIndexFile()
	for i, v := range versions {
		idx.Entries["app"] = append(idx.Entries["app"], &repo.ChartVersion{
			Metadata: &chart.Metadata{APIVersion: "v2", Name: "app", Version: v},
			Created:  time.Unix(int64(i), 0),
		})
	}
	return idx
}

func TestLatest(t *testing.T) {
	idx := indexOf("1.0.0", "1.2.0", "v1.3.0", "2.0.0-rc.1", "1.10.0", "01.2.3", "1.4.0+build.1", "1.4.0+build.2")
	tests := []struct {
		rng, want string
		wantErr   error
	}{
		{rng: "", want: "1.10.0"},
		{rng: "*", want: "1.10.0"},
		{rng: "<1.5.0", want: "1.4.0+build.2"}, // equal versions: the newest created
		{rng: "~1.3", want: "v1.3.0"},
		{rng: ">=2.0.0-0", want: "2.0.0-rc.1"},
		{rng: "1.2.0", want: "1.2.0"},
		{rng: "01.2.3", want: "01.2.3"}, // an exact string wins, even a non-semver one
		{rng: ">=3.0.0", wantErr: ErrNoMatch},
		{rng: "not a range", wantErr: ErrInvalidRange},
	}
	for _, tt := range tests {
		cv, err := Latest(idx, "app", tt.rng)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("%q: error %v, want %v", tt.rng, err, tt.wantErr)
			}
			continue
		}
		if err != nil || cv.Version != tt.want {
			t.Errorf("%q: got %v (%v), want %s", tt.rng, cv, err, tt.want)
		}
	}
	if _, err := Latest(idx, "other", ""); !errors.Is(err, ErrChartNotFound) {
		t.Errorf("unknown chart: %v", err)
	}
}

// Parse reads what Helm reads: YAML as served, JSON as stored, newest
// first, without invalid entries; it refuses what Helm refuses.
func TestParse(t *testing.T) {
	idx, err := Parse(small)
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Entries) != 3 || idx.Entries["chart-0000"][0].Version != "1.1.0" {
		t.Fatalf("parsed %d charts: %v", len(idx.Entries), idx.Entries["chart-0000"])
	}
	withBad := []byte("apiVersion: v1\nentries:\n  app:\n  - name: app\n    version: 1.0.0\n    apiVersion: v2\n  - name: app\n    version: not-semver\n    apiVersion: v2\n")
	if idx, err := Parse(withBad); err != nil || len(idx.Entries["app"]) != 1 {
		t.Errorf("an invalid entry was kept or broke the index: %v", err)
	}
	for name, data := range map[string]string{
		"empty":         "",
		"no apiVersion": "entries: {}\n",
		"not YAML":      "entries: [",
		"unknown field": "apiVersion: v1\nentries: {}\nbogus: 1\n",
	} {
		if _, err := Parse([]byte(data)); !errors.Is(err, ErrInvalidIndex) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
