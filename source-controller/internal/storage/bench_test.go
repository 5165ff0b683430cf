package storage_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkArchive10kFiles archives a tree of 10,000 files of 200 bytes in
// 100 directories, the size of a large monorepo's deploy folder.
func BenchmarkArchive10kFiles(b *testing.B) {
	const dirs, perDir = 100, 100
	src := b.TempDir()
	content := []byte(strings.Repeat("kind: ConfigMap\n", 13)[:200])
	for d := range dirs {
		dir := filepath.Join(src, fmt.Sprintf("dir%03d", d))
		if err := os.Mkdir(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range perDir {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("file%03d.yaml", f)), content, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	s := newStorage(b, time.Minute, 2)
	a := newArtifact(b, s, "bench", "rev.tar.gz")
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Archive(&a, src, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(dirs*perDir, "files/op")
}
