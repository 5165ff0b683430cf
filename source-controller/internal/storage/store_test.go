package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// Store writes the bytes as they are, with their digest and size.
func TestStore(t *testing.T) {
	s, err := New(t.TempDir(), "localhost:9090", 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.NewArtifact("HelmChart", "ns", "app", "1.0.0", "app-1.0.0.tgz")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Store(&a, strings.NewReader("chart")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(s.LocalPath(a))
	if err != nil || string(got) != "chart" {
		t.Fatalf("stored %q, %v", got, err)
	}
	// sha256 of "chart"
	if a.Digest != "sha256:"+sha256Hex("chart") || a.Size == nil || *a.Size != 5 {
		t.Errorf("digest %s size %v", a.Digest, a.Size)
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
