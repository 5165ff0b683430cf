package storage_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tidegitops/tide/source-controller/internal/sourcetree"
)

// writeFanOut writes one file and six folders of ten links, each pointing
// at the folder below: 2,345,678 entries if every link were copied.
func writeFanOut(t *testing.T, dir string) {
	t.Helper()
	writeFiles(t, dir, []file{{path: "l0/file", content: "x"}, {path: "app.yaml", content: "kind: A\n"}})
	for l := 1; l <= 6; l++ {
		for i := range 10 {
			symlink(t, fmt.Sprintf("../l%d", l-1), filepath.Join(dir, fmt.Sprintf("l%d/x%d", l, i)))
		}
	}
}

func TestArchiveRefusesSymlinkFanOut(t *testing.T) {
	s := newStorage(t, time.Minute, 2)
	src := t.TempDir()
	writeFanOut(t, src)
	a := newArtifact(t, s, "fanout", "rev.tar.gz")
	good := t.TempDir()
	writeFiles(t, good, sourceFiles)
	if err := s.Archive(&a, good, nil); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(s.LocalPath(a))
	if err != nil {
		t.Fatal(err)
	}

	err = s.Archive(&a, src, nil)
	var limit *sourcetree.LimitError
	if !errors.As(err, &limit) {
		t.Fatalf("want a LimitError, got %v", err)
	}
	after, err := os.ReadFile(s.LocalPath(a))
	if err != nil || string(after) != string(before) {
		t.Fatalf("the stored artifact changed after a refused archive (err %v)", err)
	}
}

func TestArchivePrunedSymlinkFanOut(t *testing.T) {
	s := newStorage(t, time.Minute, 2)
	src := t.TempDir()
	writeFanOut(t, src)
	a := newArtifact(t, s, "pruned", "rev.tar.gz")
	linkLevels := func(rel string) bool { return strings.HasPrefix(rel, "l") && rel != "l0" }
	root, err := os.OpenRoot(src)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := s.ArchiveFS(&a, root.FS().(fs.ReadLinkFS), nil, linkLevels); err != nil {
		t.Fatal(err)
	}
	names, _ := readTarGz(t, s.LocalPath(a))
	if want := []string{"app.yaml", "l0/", "l0/file"}; strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("archived %v, want %v", names, want)
	}
}
