package storage

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tidegitops/tide/source-controller/internal/artifactserver"
)

// The link follows the latest artifact, is served, and survives garbage
// collection however old it is.
func TestSymlinkFollowsLatestArtifact(t *testing.T) {
	s, err := New(t.TempDir(), "example.com", 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(artifactserver.Handler(s.Root()))
	defer srv.Close()
	for _, content := range []string{"first", "second"} {
		a, err := s.NewArtifact("HelmRepository", "ns", "repo", content, "index-"+content+".yaml")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Store(&a, strings.NewReader(content)); err != nil {
			t.Fatal(err)
		}
		url, err := s.Symlink(a, "index.yaml")
		if err != nil || url != "http://example.com/helmrepository/ns/repo/index.yaml" {
			t.Fatalf("Symlink: %q, %v", url, err)
		}
		if _, err := s.GarbageCollect(a); err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(srv.URL + "/helmrepository/ns/repo/index.yaml")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != content {
			t.Fatalf("index.yaml serves %q, want %q", body, content)
		}
	}
}
