package ignore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/tidegitops/tide/source-controller/internal/sourcetree"
)

// fanOut writes one file and six folders of ten links, each pointing at the
// folder below, plus a .sourceignore in the linked folder.
func fanOut(t *testing.T) fs.ReadLinkFS {
	t.Helper()
	dir := writeTree(t, map[string]string{"l0/file": "x", "l0/.sourceignore": "*.md\n"})
	for l := 1; l <= 6; l++ {
		for i := range 10 {
			link := filepath.Join(dir, fmt.Sprintf("l%d/x%d", l, i))
			if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(fmt.Sprintf("../l%d", l-1), link); err != nil {
				t.Fatal(err)
			}
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root.FS().(fs.ReadLinkFS)
}

// The ignore rules are read with the same bounded walk as the archive.
func TestIgnoreWalkIsBounded(t *testing.T) {
	_, err := NewFS(fanOut(t), nil)
	var limit *sourcetree.LimitError
	if !errors.As(err, &limit) {
		t.Fatalf("want a LimitError, got %v", err)
	}
}

// A folder spec.ignore excludes is not walked, so it is how a user keeps
// such links out; a '!' pattern in spec.ignore turns that off.
func TestSpecIgnorePrunes(t *testing.T) {
	root := fanOut(t)
	m, err := NewFS(root, ptr("/l[1-6]/\n"))
	if err != nil {
		t.Fatalf("spec.ignore excludes the links: %v", err)
	}
	for rel, want := range map[string]bool{"l3": true, "l3/x1/x2": true, "l0": false} {
		if got := m.Pruned(rel); got != want {
			t.Errorf("Pruned(%s) = %v, want %v", rel, got, want)
		}
	}
	if !m.Excluded("l0/a.md", false) {
		t.Error("l0/.sourceignore should still apply")
	}
	_, err = NewFS(root, ptr("/l[1-6]/\n!l3/x1/keep\n"))
	var limit *sourcetree.LimitError
	if !errors.As(err, &limit) {
		t.Fatalf("with a '!' pattern nothing can be pruned: want a LimitError, got %v", err)
	}
}
