package storage_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestGarbageCollect(t *testing.T) {
	const current = "current.tar.gz"
	// ages maps a file in the object's directory to how old its mtime is.
	tests := []struct {
		name        string
		ttl         time.Duration
		records     int
		ages        map[string]time.Duration
		wantDeleted []string
	}{
		{
			name: "records keep current plus the newest other", ttl: time.Hour, records: 2,
			ages:        map[string]time.Duration{current: 0, "a.tar.gz": 4 * time.Minute, "b.tar.gz": 3 * time.Minute, "c.tar.gz": 2 * time.Minute},
			wantDeleted: []string{"a.tar.gz", "b.tar.gz"},
		},
		{
			name: "current kept even when older than others and than ttl", ttl: time.Minute, records: 2,
			ages:        map[string]time.Duration{current: 10 * time.Minute, "new1.tar.gz": 10 * time.Second, "new2.tar.gz": 20 * time.Second},
			wantDeleted: []string{"new2.tar.gz"},
		},
		{
			name: "ttl deletes old ones within the record budget", ttl: time.Minute, records: 5,
			ages:        map[string]time.Duration{current: 0, "old.tar.gz": 2 * time.Minute, "young.tar.gz": 30 * time.Second},
			wantDeleted: []string{"old.tar.gz"},
		},
		{
			name: "one record keeps only current", ttl: time.Hour, records: 1,
			ages:        map[string]time.Duration{current: 0, "a.tar.gz": time.Second},
			wantDeleted: []string{"a.tar.gz"},
		},
		{
			name: "stale temp files go, fresh ones stay", ttl: time.Hour, records: 2,
			ages:        map[string]time.Duration{current: 0, ".tide-tmp-123": time.Hour, ".tide-tmp-456": 0},
			wantDeleted: []string{".tide-tmp-123"},
		},
		{
			name: "nothing to delete", ttl: time.Hour, records: 2,
			ages: map[string]time.Duration{current: 0, "a.tar.gz": time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStorage(t, tt.ttl, tt.records)
			cur := newArtifact(t, s, "podinfo", current)
			objDir := filepath.Dir(s.LocalPath(cur))
			otherDir := filepath.Join(filepath.Dir(objDir), "podinfo2") // neighbour object
			now := time.Now()
			for name, age := range tt.ages {
				for _, d := range []string{objDir, otherDir} {
					writeFiles(t, d, []file{{path: name, content: name}})
					mt := now.Add(-age)
					if err := os.Chtimes(filepath.Join(d, name), mt, mt); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := os.Mkdir(filepath.Join(objDir, "subdir"), 0o755); err != nil {
				t.Fatal(err)
			}
			otherBefore := listFiles(t, otherDir)

			deleted, err := s.GarbageCollect(cur)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, n := range tt.wantDeleted {
				want = append(want, "gitrepository/default/podinfo/"+n)
			}
			slices.Sort(deleted)
			if !slices.Equal(deleted, want) {
				t.Errorf("deleted %q, want %q", deleted, want)
			}
			var wantLeft []string
			for name := range tt.ages {
				if !slices.Contains(tt.wantDeleted, name) {
					wantLeft = append(wantLeft, name)
				}
			}
			wantLeft = append(wantLeft, "subdir")
			slices.Sort(wantLeft)
			if got := listFiles(t, objDir); !slices.Equal(got, wantLeft) {
				t.Errorf("left %q, want %q", got, wantLeft)
			}
			if got := listFiles(t, otherDir); !slices.Equal(got, otherBefore) {
				t.Errorf("other object's dir changed: %q, was %q", got, otherBefore)
			}
		})
	}
}

func TestGarbageCollectMissingDir(t *testing.T) {
	s := newStorage(t, time.Minute, 2)
	deleted, err := s.GarbageCollect(newArtifact(t, s, "never-stored", "x.tar.gz"))
	if err != nil || len(deleted) != 0 {
		t.Fatalf("GarbageCollect = %q, %v; want nothing, nil", deleted, err)
	}
}

func TestRemoveAll(t *testing.T) {
	s := newStorage(t, time.Minute, 2)
	src := t.TempDir()
	writeFiles(t, src, sourceFiles)
	for _, name := range []string{"podinfo", "podinfo2"} {
		a := newArtifact(t, s, name, "rev.tar.gz")
		if err := s.Archive(&a, src, nil); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, kind, ns, obj string
		wantErr             bool
	}{
		{name: "removes the object dir", kind: "GitRepository", ns: "default", obj: "podinfo"},
		{name: "missing dir is fine", kind: "GitRepository", ns: "default", obj: "podinfo"},
		{name: "never existed", kind: "GitRepository", ns: "other", obj: "x"},
		{name: "escaping name", kind: "GitRepository", ns: "default", obj: "..", wantErr: true},
		{name: "empty name", kind: "GitRepository", ns: "default", obj: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.RemoveAll(tt.kind, tt.ns, tt.obj)
			if (err != nil) != tt.wantErr {
				t.Fatalf("RemoveAll error = %v, wantErr %v", err, tt.wantErr)
			}
			if got := listFiles(t, filepath.Join(s.Root(), "gitrepository", "default")); !slices.Equal(got, []string{"podinfo2", "podinfo2/rev.tar.gz"}) {
				t.Errorf("namespace dir holds %q, want only podinfo2", got)
			}
		})
	}
}
