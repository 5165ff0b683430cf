package helmserver

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"helm.sh/helm/v4/pkg/chart/v2/loader"
	repo "helm.sh/helm/v4/pkg/repo/v1"
)

func get(t *testing.T, url, user, pass string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// The index is one Helm reads, its charts load with Helm, and packaging is
// deterministic.
func TestServerServesHelmRepository(t *testing.T) {
	app := Chart{Name: "app", Version: "1.2.3"}
	srv := Start(t, WithCharts(app, Chart{Name: "app", Version: "1.0.0"}), WithBasicAuth("u", "p"))
	if code, _ := get(t, srv.URL+"/index.yaml", "", ""); code != http.StatusUnauthorized {
		t.Fatalf("no credentials: got %d, want 401", code)
	}
	if code, _ := get(t, srv.URL+"/index.yaml", "u", "wrong"); code != http.StatusForbidden {
		t.Fatalf("wrong credentials: got %d, want 403", code)
	}
	code, index := get(t, srv.URL+"/index.yaml", "u", "p")
	if code != http.StatusOK {
		t.Fatalf("index: %d", code)
	}
	file := filepath.Join(t.TempDir(), "index.yaml")
	if err := os.WriteFile(file, index, 0o600); err != nil {
		t.Fatal(err)
	}
	idx, err := repo.LoadIndexFile(file)
	if err != nil {
		t.Fatalf("Helm cannot read the index: %v", err)
	}
	cv, err := idx.Get("app", "")
	if err != nil || cv.Version != "1.2.3" || cv.URLs[0] != "app-1.2.3.tgz" {
		t.Fatalf("newest app: %+v, %v", cv, err)
	}
	code, pkg := get(t, srv.URL+"/"+cv.URLs[0], "u", "p")
	if code != http.StatusOK || !bytes.Equal(pkg, Package(t, app)) {
		t.Fatalf("package: %d, or not deterministic", code)
	}
	ch, err := loader.LoadArchive(bytes.NewReader(pkg))
	if err != nil || ch.Metadata.Version != "1.2.3" {
		t.Fatalf("Helm cannot load the chart: %v", err)
	}
	if srv.Requests("/index.yaml") != 3 || srv.AuthorizedRequests() != 3 {
		t.Errorf("requests counted: index %d, authorized %d", srv.Requests("/index.yaml"), srv.AuthorizedRequests())
	}
}

// LargeIndex writes what Helm reads, newest version first.
func TestLargeIndexIsHelms(t *testing.T) {
	file := filepath.Join(t.TempDir(), "index.yaml")
	if err := os.WriteFile(file, LargeIndex(30, 3), 0o600); err != nil {
		t.Fatal(err)
	}
	idx, err := repo.LoadIndexFile(file)
	if err != nil {
		t.Fatalf("Helm cannot read the index: %v", err)
	}
	if len(idx.Entries) != 30 || len(idx.Entries["chart-0029"]) != 3 || idx.Entries["chart-0029"][0].Version != "1.2.0" {
		t.Fatalf("index holds %d charts; chart-0029: %v", len(idx.Entries), idx.Entries["chart-0029"])
	}
	data := LargeIndex(5000, 10)
	if len(data) < 18<<20 || len(data) > 30<<20 {
		t.Errorf("LargeIndex(5000, 10) is %d bytes, want about 20 MB", len(data))
	}
}
