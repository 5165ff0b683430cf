package ociartifact

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// entriesOf lists a built layer's headers.
func entriesOf(t *testing.T, layer []byte) []*tar.Header {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(layer))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var out []*tar.Header
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, hdr)
	}
}

func build(t *testing.T, root string, ignore []string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Build(&buf, root, ignore); err != nil {
		t.Fatalf("Build: %v", err)
	}
	return buf.Bytes()
}

func TestBuildIsDeterministic(t *testing.T) {
	files := map[string]string{"b/two.yaml": "2", "a/one.yaml": "1", "top.yaml": "t"}
	first := writeTree(t, files)
	second := writeTree(t, files)
	// Other times, owners' umask and creation order must not matter.
	past := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	_ = os.Chtimes(filepath.Join(second, "top.yaml"), past, past)
	_ = os.Chmod(filepath.Join(second, "a", "one.yaml"), 0o600)
	_ = os.Chmod(filepath.Join(second, "b"), 0o700)

	l1, l2 := build(t, first, nil), build(t, second, nil)
	if !bytes.Equal(l1, l2) {
		t.Fatal("equal trees built different layers")
	}
	var names []string
	for _, h := range entriesOf(t, l1) {
		names = append(names, h.Name)
		if !h.ModTime.Equal(epoch) || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s carries host data: %+v", h.Name, h)
		}
		if h.Mode != 0o644 && h.Mode != 0o755 {
			t.Errorf("%s has mode %o", h.Name, h.Mode)
		}
	}
	want := []string{"a/", "a/one.yaml", "b/", "b/two.yaml", "top.yaml"}
	if !slices.Equal(names, want) {
		t.Errorf("entries %v, want %v", names, want)
	}
}

func TestBuildIgnorePathsAndSymlinks(t *testing.T) {
	root := writeTree(t, map[string]string{
		"apps/deploy.yaml": "d",
		"apps/logo.png":    "png",
		".git/HEAD":        "ref",
		"docs/keep.md":     "k",
		"docs/drop.md":     "x",
	})
	if err := os.Symlink("apps/deploy.yaml", filepath.Join(root, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	ignore := append(slices.Clone(DefaultIgnorePaths), "docs/*.md", "!docs/keep.md")
	var names []string
	for _, h := range entriesOf(t, build(t, root, ignore)) {
		names = append(names, h.Name)
	}
	want := []string{"apps/", "apps/deploy.yaml", "docs/", "docs/keep.md"}
	if !slices.Equal(names, want) {
		t.Errorf("entries %v, want %v", names, want)
	}
}

func TestBuildSingleFile(t *testing.T) {
	root := writeTree(t, map[string]string{"deploy.yaml": "d"})
	var names []string
	for _, h := range entriesOf(t, build(t, filepath.Join(root, "deploy.yaml"), nil)) {
		names = append(names, h.Name)
	}
	if !slices.Equal(names, []string{"deploy.yaml"}) {
		t.Errorf("entries %v, want [deploy.yaml]", names)
	}
}

// What Build writes, Extract reads back.
func TestBuildThenExtract(t *testing.T) {
	root := writeTree(t, map[string]string{"a/b/c.yaml": "c", "x.yaml": "x"})
	dest := t.TempDir()
	if err := Extract(bytes.NewReader(build(t, root, nil)), dest, 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dest, "a", "b", "c.yaml")); string(got) != "c" {
		t.Errorf("a/b/c.yaml = %q", got)
	}
}
