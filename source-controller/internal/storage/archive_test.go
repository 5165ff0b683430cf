package storage_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var sourceFiles = []file{
	{path: "kustomization.yaml", content: "resources:\n- deploy\n"},
	{path: "deploy/app.yaml", content: "kind: Deployment\n"},
	{path: "deploy/run.sh", content: "#!/bin/sh\n", mode: 0o755},
	{path: "deploy/nested/empty.txt", content: ""},
}

func TestArchiveIsDeterministic(t *testing.T) {
	s := newStorage(t, time.Minute, 2)
	build := func(name string, files []file, mtime time.Time) []byte {
		src := t.TempDir()
		writeFiles(t, src, files)
		for _, f := range files {
			if err := os.Chtimes(filepath.Join(src, f.path), mtime, mtime); err != nil {
				t.Fatal(err)
			}
		}
		a := newArtifact(t, s, name, "rev.tar.gz")
		if err := s.Archive(&a, src, nil); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(s.LocalPath(a))
		if err != nil {
			t.Fatal(err)
		}
		if want := sha256Digest(data); a.Digest != want {
			t.Fatalf("%s: Digest %s, want %s", name, a.Digest, want)
		}
		return data
	}
	reversed := slices.Clone(sourceFiles)
	slices.Reverse(reversed)

	first := build("first", sourceFiles, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	second := build("second", reversed, time.Date(2024, 6, 1, 12, 30, 0, 0, time.UTC))
	if !bytes.Equal(first, second) {
		t.Fatalf("same content archived at different times / in different order differs: %s vs %s",
			sha256Digest(first), sha256Digest(second))
	}
}

func TestArchiveDigestChangesWithContent(t *testing.T) {
	s := newStorage(t, time.Minute, 2)
	digest := func(name string, files []file, extraDir string) string {
		src := t.TempDir()
		writeFiles(t, src, files)
		if extraDir != "" {
			if err := os.MkdirAll(filepath.Join(src, extraDir), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		a := newArtifact(t, s, name, "rev.tar.gz")
		if err := s.Archive(&a, src, nil); err != nil {
			t.Fatal(err)
		}
		return a.Digest
	}
	base := digest("base", sourceFiles, "")
	with := func(i int, f file) []file {
		out := slices.Clone(sourceFiles)
		out[i] = f
		return out
	}
	tests := []struct {
		name     string
		files    []file
		extraDir string
	}{
		{name: "one byte changed", files: with(1, file{path: "deploy/app.yaml", content: "kind: Deploymenu\n"})},
		{name: "exec bit added", files: with(1, file{path: "deploy/app.yaml", content: "kind: Deployment\n", mode: 0o755})},
		{name: "file renamed", files: with(1, file{path: "deploy/app2.yaml", content: "kind: Deployment\n"})},
		{name: "empty dir added", files: sourceFiles, extraDir: "extra"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := digest("variant"+string(rune('a'+i)), tt.files, tt.extraDir); got == base {
				t.Errorf("digest unchanged (%s)", got)
			}
		})
	}
}

func TestArchiveEntries(t *testing.T) {
	s := newStorage(t, time.Minute, 2)
	base := t.TempDir()
	src := filepath.Join(base, "src")
	outside := filepath.Join(base, "outside.txt")
	writeFiles(t, base, []file{{path: "outside.txt", content: "SECRET"}})
	writeFiles(t, src, []file{
		{path: "README.md", content: "readme"},
		{path: "docs/guide.txt", content: "guide"},
		{path: "docs/keep.txt", content: "kept"},
		{path: "deploy/app.yaml", content: "app"},
		{path: "deploy/run.sh", content: "run", mode: 0o755},
		{path: "deploy/user-exec", content: "ux", mode: 0o744},
		{path: "secret.txt", content: "private", mode: 0o600},
		{path: ".git/config", content: "[core]"},
		{path: ".git/HEAD", content: "ref: refs/heads/main"},
		{path: "sub/.git", content: "gitdir: ../.git/modules/sub"},
		{path: "sub/keep.txt", content: "keep"},
	})
	links := map[string]string{
		"links/inside":      "../deploy/app.yaml",
		"links/chain":       "inside",
		"links/exec":        "../deploy/run.sh",
		"links/outside-rel": "../../outside.txt",
		"links/outside-abs": outside,
		"links/etc-passwd":  "/etc/passwd",
		"links/up-etc":      "../../../../../../../../etc/passwd",
		"links/reenter":     "../../src/deploy/app.yaml", // leaves src, then comes back
		"links/clamped":     "../../../deploy/app.yaml",  // only found if ".." were clamped at src
		"links/dangling":    "does-not-exist",
		"links/dir":         "../deploy", // a directory: archived as a copy
		"links/up":          "..",        // would contain itself: skipped
		"links/loop1":       "loop2",
		"links/loop2":       "loop1",
		"links/self":        "self",
		"links/to-git":      "../.git/config",
		"links/to-sub-git":  "../sub/.git",
		"links/to-dot":      ".",
		"links/trailing":    "../deploy/app.yaml/",
		"links/via-dirlink": "dir/app.yaml", // through a link to an in-root dir: fine
	}
	for link, target := range links {
		symlink(t, target, filepath.Join(src, link))
	}
	mkSpecialFiles(t, src)

	var mu sync.Mutex
	seen := map[string]bool{}
	filter := func(p string, isDir bool) bool {
		mu.Lock()
		seen[p] = isDir
		mu.Unlock()
		// docs is excluded but docs/keep.txt is not: it is kept without
		// an entry for its folder, as Flux's archiver does.
		return strings.HasSuffix(p, ".md") || (p == "docs" && isDir) || p == "docs/guide.txt"
	}
	a := newArtifact(t, s, "podinfo", "rev.tar.gz")
	if err := s.Archive(&a, src, filter); err != nil {
		t.Fatal(err)
	}

	names, entries := readTarGz(t, s.LocalPath(a))
	want := []struct {
		name    string
		typ     byte
		mode    int64
		content string
	}{
		{"deploy/", tar.TypeDir, 0o755, ""},
		{"deploy/app.yaml", tar.TypeReg, 0o644, "app"},
		{"deploy/run.sh", tar.TypeReg, 0o755, "run"},
		{"deploy/user-exec", tar.TypeReg, 0o755, "ux"},
		{"docs/keep.txt", tar.TypeReg, 0o644, "kept"},
		{"links/", tar.TypeDir, 0o755, ""},
		{"links/chain", tar.TypeReg, 0o644, "app"},
		{"links/dir/", tar.TypeDir, 0o755, ""},
		{"links/dir/app.yaml", tar.TypeReg, 0o644, "app"},
		{"links/dir/run.sh", tar.TypeReg, 0o755, "run"},
		{"links/dir/user-exec", tar.TypeReg, 0o755, "ux"},
		{"links/exec", tar.TypeReg, 0o755, "run"},
		{"links/inside", tar.TypeReg, 0o644, "app"},
		{"links/via-dirlink", tar.TypeReg, 0o644, "app"},
		{"secret.txt", tar.TypeReg, 0o644, "private"},
		{"sub/", tar.TypeDir, 0o755, ""},
		{"sub/keep.txt", tar.TypeReg, 0o644, "keep"},
	}
	var wantNames []string
	for _, w := range want {
		wantNames = append(wantNames, w.name)
	}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("entries:\n got %q\nwant %q", names, wantNames)
	}
	for _, w := range want {
		e := entries[w.name]
		h := e.hdr
		if h.Typeflag != w.typ || h.Mode != w.mode || e.content != w.content {
			t.Errorf("%s: type %q mode %o content %q, want %q %o %q", w.name, h.Typeflag, h.Mode, e.content, w.typ, w.mode, w.content)
		}
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || !h.ModTime.Equal(time.Unix(0, 0)) {
			t.Errorf("%s: owner %d/%d %q/%q mtime %v, want 0/0 empty names and Unix 0", w.name, h.Uid, h.Gid, h.Uname, h.Gname, h.ModTime)
		}
	}
	if isDir, ok := seen["docs"]; !ok || !isDir {
		t.Errorf("filter not asked about dir docs: %v", seen)
	}
	if isDir, ok := seen["README.md"]; !ok || isDir {
		t.Errorf("filter not asked about file README.md: %v", seen)
	}
	for p := range seen {
		if p == ".git" || strings.HasPrefix(p, ".git/") {
			t.Errorf("filter asked about %q, which should have been pruned", p)
		}
	}
	if _, ok := seen["docs/keep.txt"]; !ok {
		t.Errorf("filter not asked about docs/keep.txt, below an excluded folder: %v", seen)
	}
}

// mkSpecialFiles adds a unix socket and a named pipe, which must be skipped
// (opening the pipe would block the archiver forever).
func mkSpecialFiles(t *testing.T, dir string) {
	t.Helper()
	// Unix socket paths are limited to ~100 bytes; use a short relative name.
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", "sock")
	_ = os.Chdir(wd)
	if err != nil {
		t.Fatalf("listen unix: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	mkfifo(t, filepath.Join(dir, "fifo"))
	symlink(t, "fifo", filepath.Join(dir, "links", "to-fifo"))
}

func TestArchiveArtifactFile(t *testing.T) {
	s := newStorage(t, time.Minute, 2)
	src := t.TempDir()
	writeFiles(t, src, sourceFiles)
	a := newArtifact(t, s, "podinfo", "rev.tar.gz")
	before := time.Now().Add(-time.Second)
	if err := s.Archive(&a, src, nil); err != nil {
		t.Fatal(err)
	}
	after := time.Now().Add(time.Second)

	data, err := os.ReadFile(s.LocalPath(a))
	if err != nil {
		t.Fatal(err)
	}
	if want := sha256Digest(data); a.Digest != want {
		t.Errorf("Digest = %s, want sha256 of the file %s", a.Digest, want)
	}
	if a.Size == nil || *a.Size != int64(len(data)) {
		t.Errorf("Size = %v, want %d", a.Size, len(data))
	}
	if ts := a.LastUpdateTime.Time; ts.Before(before) || ts.After(after) {
		t.Errorf("LastUpdateTime = %v, want about now", ts)
	}
	if got := listFiles(t, filepath.Dir(s.LocalPath(a))); !slices.Equal(got, []string{"rev.tar.gz"}) {
		t.Errorf("object dir holds %q, want only the artifact (no temp files)", got)
	}
	fi, err := os.Stat(s.LocalPath(a))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("artifact mode = %v (%v), want 0644", fi.Mode(), err)
	}
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if gz.Name != "" || !gz.ModTime.IsZero() {
		t.Errorf("gzip header name %q mtime %v, want empty", gz.Name, gz.ModTime)
	}
	names, _ := readTarGz(t, s.LocalPath(a))
	want := []string{"deploy/", "deploy/app.yaml", "deploy/nested/", "deploy/nested/empty.txt", "deploy/run.sh", "kustomization.yaml"}
	if !slices.Equal(names, want) {
		t.Errorf("entries %q, want %q", names, want)
	}
}

func TestArchiveFailureKeepsPreviousArtifact(t *testing.T) {
	s := newStorage(t, time.Minute, 2)
	src := t.TempDir()
	writeFiles(t, src, sourceFiles)
	aFile := filepath.Join(t.TempDir(), "afile")
	writeFiles(t, filepath.Dir(aFile), []file{{path: "afile", content: "x"}})

	tests := []struct {
		name string
		dir  string
	}{
		{name: "missing directory", dir: filepath.Join(t.TempDir(), "missing")},
		{name: "regular file instead of directory", dir: aFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newArtifact(t, s, "podinfo", "rev.tar.gz")
			if err := s.Archive(&a, src, nil); err != nil {
				t.Fatal(err)
			}
			good := a
			before, err := os.ReadFile(s.LocalPath(a))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Archive(&a, tt.dir, nil); err == nil {
				t.Fatal("Archive succeeded")
			}
			if a.Digest != good.Digest || a.Size != good.Size || a.LastUpdateTime != good.LastUpdateTime {
				t.Errorf("artifact changed by failed Archive: %+v, was %+v", a, good)
			}
			after, err := os.ReadFile(s.LocalPath(a))
			if err != nil || !bytes.Equal(before, after) {
				t.Errorf("stored artifact changed by failed Archive (err %v)", err)
			}
			if got := listFiles(t, filepath.Dir(s.LocalPath(a))); !slices.Equal(got, []string{"rev.tar.gz"}) {
				t.Errorf("object dir holds %q, want only the artifact", got)
			}
		})
	}
}

func sha256Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
