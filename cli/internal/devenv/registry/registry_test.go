package registry_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/tidegitops/tide/cli/internal/devenv/registry"
	"github.com/tidegitops/tide/ociartifact"
)

// The demo registry holds what Push sends as a Flux artifact, which a
// client pulls back with its metadata and files.
func TestPushAndPull(t *testing.T) {
	exited := make(chan error, 1)
	s, err := registry.Start("127.0.0.1:0", io.Discard, exited)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "configmap.yaml"), []byte("kind: ConfigMap\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	digest, err := s.Push(ctx, "tide-demo/manifests", "latest", src, ociartifact.Metadata{Source: "http://git/fleet.git", Revision: "main@sha1:abc"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := ociartifact.NewClient(ociartifact.Options{Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	dest := t.TempDir()
	meta, err := c.Pull(ctx, s.URL("tide-demo/manifests")+":latest", dest, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if meta.Digest != digest || meta.Source != "http://git/fleet.git" || meta.Revision != "main@sha1:abc" {
		t.Errorf("pulled %+v, want digest %s and the pushed source and revision", meta, digest)
	}
	if data, err := os.ReadFile(filepath.Join(dest, "configmap.yaml")); err != nil || string(data) != "kind: ConfigMap\n" {
		t.Errorf("pulled configmap.yaml = %q, %v", data, err)
	}
}
