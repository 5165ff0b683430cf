package sourcetree

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"
)

// fanOut builds one file and `levels` folders of ten links, each link
// pointing at the folder of the level below: no loop, but 10^levels copies
// of the file.
func fanOut(levels int, content string) (files, links map[string]string) {
	files = map[string]string{"l0/file": content}
	links = map[string]string{}
	for l := 1; l <= levels; l++ {
		for i := range 10 {
			links[fmt.Sprintf("l%d/x%d", l, i)] = fmt.Sprintf("../l%d", l-1)
		}
	}
	return files, links
}

func TestWalkStopsSymlinkFanOut(t *testing.T) {
	files, links := fanOut(6, "x") // 2,345,678 entries unbounded
	root := tree(t, files, links)
	start := time.Now()
	n := 0
	err := Walk(root, func(Entry) error { n++; return nil })
	var limit *LimitError
	if !errors.As(err, &limit) || limit.What != "entries" {
		t.Fatalf("want an entries LimitError, got %v after %d entries", err, n)
	}
	if n > MaxLinkedEntries+100 {
		t.Errorf("walked %d entries, want about %d", n, MaxLinkedEntries)
	}
	// l5 is walked first and alone goes past the bound: its links are what
	// the user can remove or exclude (a path of the repository, no link above).
	if !strings.HasPrefix(limit.Link, "l5/x") || strings.Count(limit.Link, "/") != 1 ||
		!strings.Contains(err.Error(), "'"+limit.Link+"'") {
		t.Errorf("message should name the link: %v", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("walk took %s", d)
	}
}

func TestWalkStopsSymlinkByteFanOut(t *testing.T) {
	// 10^3 copies of a 2 MiB file: 2 GiB through a handful of entries.
	files, links := fanOut(3, strings.Repeat("y", 2<<20))
	err := Walk(tree(t, files, links), func(Entry) error { return nil })
	var limit *LimitError
	if !errors.As(err, &limit) || limit.What != "bytes" {
		t.Fatalf("want a bytes LimitError, got %v", err)
	}
}

func TestWalkSkippedLinkDoesNotCount(t *testing.T) {
	// Unskipped, l5 alone holds 111,110 linked entries.
	files, links := fanOut(5, "x")
	n := 0
	err := Walk(tree(t, files, links), func(e Entry) error {
		n++
		if e.Path == "l5" {
			return fs.SkipDir
		}
		return nil
	})
	if err != nil {
		t.Fatalf("skipping the fan-out's top folder should keep the walk bounded: %v", err)
	}
	if n > MaxLinkedEntries {
		t.Errorf("walked %d entries", n)
	}
}

func TestWalkUnderLimitUnchanged(t *testing.T) {
	files, links := fanOut(2, "x")
	got := walk(t, tree(t, files, links), "")
	// l0, l0/file, l1 + 10*(link + file), l2 + 10*(link + 10*(link + file))
	if want := 2 + 1 + 20 + 1 + 10*(1+20); len(got) != want {
		t.Errorf("got %d entries, want %d", len(got), want)
	}
}
