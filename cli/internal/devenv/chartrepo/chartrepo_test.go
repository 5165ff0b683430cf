package chartrepo_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	repo "helm.sh/helm/v4/pkg/repo/v1"

	"github.com/tidegitops/tide/cli/internal/devenv/chartrepo"
	"github.com/tidegitops/tide/testkit"
)

// The demo chart repository serves examples/charts as Helm does: an
// index.yaml that Helm reads, naming the packaged chart, which downloads.
func TestStartServesTheDemoCharts(t *testing.T) {
	exited := make(chan error, 1)
	dir := t.TempDir()
	s, err := chartrepo.Start(filepath.Join(testkit.RepoRoot(), "examples", "charts"), dir, "127.0.0.1:0", exited)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if len(s.Charts) != 1 || s.Charts[0] != "hello-1.0.0.tgz" {
		t.Fatalf("charts = %v, want [hello-1.0.0.tgz]", s.Charts)
	}
	index := filepath.Join(t.TempDir(), "index.yaml")
	if err := os.WriteFile(index, get(t, s.URL+"/index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	idx, err := repo.LoadIndexFile(index)
	if err != nil {
		t.Fatalf("Helm cannot read the served index: %v", err)
	}
	v, err := idx.Get("hello", ">=1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.URLs) != 1 || v.URLs[0] != "hello-1.0.0.tgz" || v.Digest == "" {
		t.Fatalf("index entry: urls %v, digest %q", v.URLs, v.Digest)
	}
	if data := get(t, s.URL+"/"+v.URLs[0]); len(data) < 100 {
		t.Fatalf("chart package of %d bytes", len(data))
	}
}

func get(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
