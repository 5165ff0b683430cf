package storage_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"

	"github.com/tidegitops/tide/source-controller/internal/storage"
)

func TestNew(t *testing.T) {
	tmp := t.TempDir()
	aFile := filepath.Join(tmp, "afile")
	if err := os.WriteFile(aFile, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		root    string
		addr    string
		ttl     time.Duration
		records int
		wantErr string // substring; "" means success
	}{
		{name: "creates missing nested root", root: filepath.Join(tmp, "a", "b", "storage"), addr: "h:80", ttl: time.Minute, records: 2},
		{name: "existing root", root: tmp, addr: "h:80", ttl: 0, records: 1},
		{name: "root below a regular file", root: filepath.Join(aFile, "storage"), addr: "h:80", ttl: time.Minute, records: 2,
			wantErr: `storage root "` + filepath.Join(aFile, "storage") + `" cannot be created`},
		{name: "empty root", root: "", addr: "h:80", ttl: time.Minute, records: 2, wantErr: "root must not be empty"},
		{name: "empty address", root: tmp, addr: "", ttl: time.Minute, records: 2, wantErr: "advertised address"},
		{name: "zero records", root: tmp, addr: "h:80", ttl: time.Minute, records: 0, wantErr: "records must be at least 1"},
		{name: "negative ttl", root: tmp, addr: "h:80", ttl: -time.Second, records: 2, wantErr: "TTL must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := storage.New(tt.root, tt.addr, tt.ttl, tt.records)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New error = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			fi, err := os.Stat(s.Root())
			if err != nil || !fi.IsDir() {
				t.Fatalf("root %s not a directory: %v", s.Root(), err)
			}
			for _, f := range listFiles(t, s.Root()) {
				if strings.Contains(f, "probe") {
					t.Errorf("probe file %s left behind", f)
				}
			}
		})
	}
}

func TestNewArtifact(t *testing.T) {
	s, err := storage.New(t.TempDir(), "source-controller.flux-system.svc.cluster.local.:80", time.Minute, 2)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                  string
		kind, ns, obj, file   string
		wantPath, wantErrPart string
	}{
		{name: "valid", kind: "GitRepository", ns: "default", obj: "podinfo", file: "abc123.tar.gz",
			wantPath: "gitrepository/default/podinfo/abc123.tar.gz"},
		{name: "dotted name", kind: "GitRepository", ns: "flux-system", obj: "app.v1", file: "x.tar.gz",
			wantPath: "gitrepository/flux-system/app.v1/x.tar.gz"},
		{name: "empty namespace", kind: "GitRepository", ns: "", obj: "podinfo", file: "x.tar.gz", wantErrPart: "namespace"},
		{name: "slash in name", kind: "GitRepository", ns: "default", obj: "a/b", file: "x.tar.gz", wantErrPart: "name"},
		{name: "dotdot name", kind: "GitRepository", ns: "default", obj: "..", file: "x.tar.gz", wantErrPart: "name"},
		{name: "dotdot inside file", kind: "GitRepository", ns: "default", obj: "p", file: "a..b", wantErrPart: "file name"},
		{name: "hidden file", kind: "GitRepository", ns: "default", obj: "p", file: ".tide-tmp-x", wantErrPart: "file name"},
		{name: "backslash kind", kind: `a\b`, ns: "default", obj: "p", file: "x", wantErrPart: "kind"},
		{name: "empty kind", kind: "", ns: "default", obj: "p", file: "x", wantErrPart: "kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := s.NewArtifact(tt.kind, tt.ns, tt.obj, "main@sha1:abc", tt.file)
			if tt.wantErrPart != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrPart) {
					t.Fatalf("error = %v, want one about %q", err, tt.wantErrPart)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Path != tt.wantPath {
				t.Errorf("Path = %q, want %q", a.Path, tt.wantPath)
			}
			if want := "http://source-controller.flux-system.svc.cluster.local.:80/" + tt.wantPath; a.URL != want {
				t.Errorf("URL = %q, want %q", a.URL, want)
			}
			if a.Revision != "main@sha1:abc" {
				t.Errorf("Revision = %q", a.Revision)
			}
			if want := filepath.Join(s.Root(), filepath.FromSlash(tt.wantPath)); s.LocalPath(a) != want {
				t.Errorf("LocalPath = %q, want %q", s.LocalPath(a), want)
			}
		})
	}
}

func TestLocalPathRejectsForgedPaths(t *testing.T) {
	s := newStorage(t, time.Minute, 2)
	// A real file right where a lenient cleaner would land.
	writeFiles(t, s.Root(), []file{{path: "x", content: "not an artifact"}})
	for _, p := range []string{
		"",
		"x",
		"../../etc/passwd",
		"/etc/a/b/passwd",
		"gitrepository/default/podinfo/../x",
		"gitrepository/default/../../x",
		"gitrepository/default/podinfo",
		"gitrepository/default/podinfo/a/b",
		"gitrepository//podinfo/a",
		"gitrepository/default/podinfo/.tide-tmp-1",
	} {
		t.Run(p, func(t *testing.T) {
			a := meta.Artifact{Path: p}
			if got := s.LocalPath(a); got != "" {
				t.Errorf("LocalPath(%q) = %q, want \"\"", p, got)
			}
			if s.Exists(a) {
				t.Errorf("Exists(%q) = true", p)
			}
			if err := s.Archive(&a, t.TempDir(), nil); err == nil {
				t.Errorf("Archive(%q) succeeded", p)
			}
			if _, err := s.GarbageCollect(a); err == nil {
				t.Errorf("GarbageCollect(%q) succeeded", p)
			}
			if err := s.CopyFromArtifact(a, "", t.TempDir()); err == nil {
				t.Errorf("CopyFromArtifact(%q) succeeded", p)
			}
		})
	}
}

func TestExists(t *testing.T) {
	s := newStorage(t, time.Minute, 2)
	a := newArtifact(t, s, "podinfo", "a.tar.gz")
	if s.Exists(a) {
		t.Fatal("Exists before Archive")
	}
	src := t.TempDir()
	writeFiles(t, src, []file{{path: "f", content: "x"}})
	if err := s.Archive(&a, src, nil); err != nil {
		t.Fatal(err)
	}
	if !s.Exists(a) {
		t.Fatal("not Exists after Archive")
	}
	if err := os.Remove(s.LocalPath(a)); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(s.LocalPath(a), 0o755); err != nil {
		t.Fatal(err)
	}
	if s.Exists(a) {
		t.Fatal("a directory at the artifact path counts as Exists")
	}
}
