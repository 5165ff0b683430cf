package tagstore

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func open(t testing.TB, dir string, opts Options) *Store {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func manyTags(n int) []string {
	tags := make([]string, 0, n)
	for i := range n {
		tags = append(tags, fmt.Sprintf("1.%d.%d-build.%d", i/100, i%100, i))
	}
	return tags
}

func TestSetAndTags(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	key := Key{"apps", "podinfo"}
	rev, err := s.Set(key, []string{"v1", "v3", "v2", "v3"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Tags(key)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"v3", "v2", "v1"}; !slices.Equal(got, want) {
		t.Errorf("tags %v, want %v (reverse order, once each)", got, want)
	}
	if !strings.HasPrefix(rev, "sha256:") {
		t.Errorf("revision %q, want sha256:<hex>", rev)
	}
	rev2, _ := s.Set(key, []string{"v2", "v1", "v3"})
	if rev2 != rev {
		t.Errorf("equal tags in another order gave revision %s, then %s", rev, rev2)
	}
	rev3, _ := s.Set(key, []string{"v2", "v1", "v3", "v4"})
	if rev3 == rev {
		t.Error("a new tag kept the revision")
	}
	if none, err := s.Tags(Key{"apps", "unknown"}); err != nil || none != nil {
		t.Errorf("tags of a never-scanned repository: %v, %v; want none", none, err)
	}
}

func TestTagsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	key := Key{"apps", "big"}
	want := manyTags(20_000)
	rev, err := open(t, dir, Options{}).Set(key, want)
	if err != nil {
		t.Fatal(err)
	}

	restarted := open(t, dir, Options{})
	got, err := restarted.Tags(key)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	sorted := slices.Sorted(slices.Values(got))
	if !slices.Equal(sorted, want) {
		t.Fatalf("after a restart: %d tags, want the %d written", len(got), len(want))
	}
	data, _ := os.ReadFile(filepath.Join(dir, "apps", "big.tags"))
	if Revision(data) != rev {
		t.Error("the file read back does not have the revision Set reported")
	}
}

func TestMemoryBound(t *testing.T) {
	s := open(t, t.TempDir(), Options{MaxCachedTags: 25_000})
	a, b := Key{"ns", "a"}, Key{"ns", "b"}
	if _, err := s.Set(a, manyTags(20_000)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Set(b, manyTags(15_000)); err != nil {
		t.Fatal(err)
	}
	if got := s.CachedTags(); got != 15_000 {
		t.Errorf("%d tags in memory after the second list, want only its 15000", got)
	}
	// a is read again from its file, and pushes b out.
	tags, err := s.Tags(a)
	if err != nil || len(tags) != 20_000 {
		t.Fatalf("a read back: %d tags, %v", len(tags), err)
	}
	if got := s.CachedTags(); got != 20_000 {
		t.Errorf("%d tags in memory, want a's 20000", got)
	}
	// A list longer than the bound is still kept while it is the last used.
	small := open(t, t.TempDir(), Options{MaxCachedTags: 10})
	if _, err := small.Set(a, manyTags(100)); err != nil {
		t.Fatal(err)
	}
	if got := small.CachedTags(); got != 100 {
		t.Errorf("%d tags in memory, want the last list's 100", got)
	}
}

func TestDelete(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	key := Key{"ns", "gone"}
	if _, err := s.Set(key, []string{"v1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(key); err != nil {
		t.Fatal(err)
	}
	if tags, _ := s.Tags(key); tags != nil {
		t.Errorf("tags after Delete: %v", tags)
	}
	if tags, _ := open(t, dir, Options{}).Tags(key); tags != nil {
		t.Errorf("tags after Delete and a restart: %v", tags)
	}
	if err := s.Delete(key); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
}

func TestWriteLeavesNoTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	for i := range 3 {
		if _, err := s.Set(Key{"ns", "r"}, manyTags(10+i)); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "ns"))
	if len(entries) != 1 || entries[0].Name() != "r.tags" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files %v, want only r.tags", names)
	}
}

func TestInvalidKey(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	for _, key := range []Key{{"", "a"}, {"ns", ""}, {"..", "a"}, {"ns", "a/b"}} {
		if _, err := s.Set(key, []string{"v1"}); err == nil {
			t.Errorf("Set(%v) accepted", key)
		}
	}
}

// BenchmarkMemory10kTags reports what holding repositories of 10,000 and
// 20,000 tags costs: the heap a list adds once read back from its file, per
// tag, and the time to read one from disk.
func BenchmarkMemory10kTags(b *testing.B) {
	for _, n := range []int{10_000, 20_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := b.TempDir()
			key := Key{"ns", "big"}
			if _, err := open(b, dir, Options{}).Set(key, manyTags(n)); err != nil {
				b.Fatal(err)
			}
			var heap uint64
			b.ResetTimer()
			for range b.N {
				s := open(b, dir, Options{})
				before := heapInUse()
				tags, err := s.Tags(key)
				if err != nil || len(tags) != n {
					b.Fatal(err)
				}
				heap = heapInUse() - before
				runtime.KeepAlive(tags)
			}
			b.ReportMetric(float64(heap)/float64(n), "heapB/tag")
			b.ReportMetric(float64(heap)/(1<<20), "heapMiB/list")
		})
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
