package ociartifact

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzExtract feeds arbitrary layers to Extract: whatever they hold, it must
// not panic, nor write or link outside its destination. The seeds are the
// attacks it must refuse ('../', absolute paths, escaping symlinks, writes
// through a symlink, an entry over the size limit) and a plain layer.
//
// Every exec touches the disk; keep minimization short:
//
//	go test -run '^$' -fuzz '^FuzzExtract$' -fuzztime 30s -fuzzminimizetime 100x .
func FuzzExtract(f *testing.F) {
	seeds := [][]tarEntry{
		{dir("apps/"), file("apps/a.yaml", "a"), symlink("apps/b.yaml", "a.yaml")},
		{file("../escape", "x")},
		{file("a/../../escape", "x")},
		{file("/abs/escape", "x")},
		{symlink("link", "../../.."), file("after", "x")},
		{symlink("link", "/etc")},
		{dir("sub/"), symlink("link", "sub"), file("link/x", "x")},
		{symlink("link", ".."), file("link/x", "x")},
		{dir("d/"), symlink("d/x", "."), symlink("d/y", "x/../..")},
		{file("big", strings.Repeat("x", 8192))},
	}
	for _, entries := range seeds {
		f.Add(tarGz(f, entries...))
	}
	f.Fuzz(func(t *testing.T, layer []byte) {
		base := t.TempDir()
		dest := filepath.Join(base, "a", "b", "dest")
		_ = Extract(bytes.NewReader(layer), dest, 4096)
		checkConfined(t, base, dest)
	})
}
