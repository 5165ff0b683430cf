package storage_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"

	"github.com/tidegitops/tide/source-controller/internal/storage"
	"github.com/tidegitops/tide/testkit"
)

// newStorage returns a Storage in a fresh temp dir.
func newStorage(t testing.TB, ttl time.Duration, records int) *storage.Storage {
	t.Helper()
	s, err := storage.New(filepath.Join(t.TempDir(), "storage"), "source-controller.flux-system.svc:80", ttl, records)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// newStorageAt returns a Storage at a given root, for tests that need to
// know where it lives relative to other files.
func newStorageAt(root string) (*storage.Storage, error) {
	return storage.New(root, "localhost:9090", time.Minute, 2)
}

func newArtifact(t testing.TB, s *storage.Storage, name, file string) meta.Artifact {
	t.Helper()
	a, err := s.NewArtifact("GitRepository", "default", name, "main@sha1:abc", file)
	if err != nil {
		t.Fatalf("NewArtifact: %v", err)
	}
	return a
}

// file is one regular file to create in a source tree.
type file struct {
	path    string
	content string
	mode    os.FileMode
}

func writeFiles(t testing.TB, dir string, files []file) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := f.mode
		if mode == 0 {
			mode = 0o644
		}
		if err := os.WriteFile(p, []byte(f.content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // umask-proof
			t.Fatal(err)
		}
	}
}

func symlink(t testing.TB, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// tarEntry is one entry read back from an artifact.
type tarEntry struct {
	hdr     tar.Header
	content string
}

// readTarGz reads a .tar.gz the way a consumer would and returns the entry
// names in order plus the entries by name.
func readTarGz(t testing.TB, p string) ([]string, map[string]tarEntry) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	names, entries, err := parseTarGz(data)
	if err != nil {
		t.Fatalf("read %s: %v", p, err)
	}
	return names, entries
}

func parseTarGz(data []byte) ([]string, map[string]tarEntry, error) {
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, nil, err
	}
	tr := tar.NewReader(gz)
	var names []string
	entries := map[string]tarEntry{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return names, entries, nil
		}
		if err != nil {
			return nil, nil, err
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			return nil, nil, err
		}
		names = append(names, hdr.Name)
		entries[hdr.Name] = tarEntry{hdr: *hdr, content: string(body)}
	}
}

// rawEntry is a hand-made tar entry for crafting (malicious) artifacts.
type rawEntry = testkit.TarEntry

// writeRawArtifact stores a hand-made tar.gz at a's local path, bypassing
// Archive, as a tampered storage volume would.
func writeRawArtifact(t testing.TB, s *storage.Storage, a meta.Artifact, entries []rawEntry) {
	t.Helper()
	data := testkit.TarGz(t, entries...)
	p := s.LocalPath(a)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// listFiles returns all paths below dir (slash, relative), "" if dir is missing.
func listFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}
