package storage_test

import (
	"archive/tar"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCopyFromArtifact(t *testing.T) {
	s := newStorage(t, time.Minute, 2)
	src := t.TempDir()
	writeFiles(t, src, []file{
		{path: "base/kustomization.yaml", content: "k"},
		{path: "deploy/app.yaml", content: "app"},
		{path: "deploy/run.sh", content: "run", mode: 0o755},
		{path: "deploy/nested/x.yaml", content: "x"},
		{path: "deployment.yaml", content: "not under deploy/"},
	})
	a := newArtifact(t, s, "included", "rev.tar.gz")
	if err := s.Archive(&a, src, nil); err != nil {
		t.Fatal(err)
	}
	deployFiles := []string{"app.yaml", "keep", "nested", "nested/x.yaml", "run.sh"}
	tests := []struct {
		name     string
		fromPath string
		want     []string // files below toDir afterwards ("keep" pre-exists)
		wantErr  bool
	}{
		{name: "everything", fromPath: "", want: []string{"base", "base/kustomization.yaml", "deploy", "deploy/app.yaml",
			"deploy/nested", "deploy/nested/x.yaml", "deploy/run.sh", "deployment.yaml", "keep"}},
		{name: "dot-prefixed subdirectory", fromPath: "./base", want: []string{"keep", "kustomization.yaml"}},
		{name: "subdirectory", fromPath: "deploy", want: deployFiles},
		{name: "trailing slash", fromPath: "deploy/", want: deployFiles},
		{name: "leading slash is relative to the artifact", fromPath: "/deploy", want: deployFiles},
		{name: "single file", fromPath: "deploy/app.yaml", want: []string{"app.yaml", "keep"}},
		{name: "missing path copies nothing", fromPath: "nope", want: []string{"keep"}},
		{name: "escaping path", fromPath: "../x", wantErr: true, want: []string{"keep"}},
		{name: "escaping via clean", fromPath: "deploy/../../x", wantErr: true, want: []string{"keep"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			toDir := filepath.Join(t.TempDir(), "checkout", "include")
			writeFiles(t, toDir, []file{{path: "keep", content: "kept"}})
			err := s.CopyFromArtifact(a, tt.fromPath, toDir)
			if (err != nil) != tt.wantErr {
				t.Fatalf("CopyFromArtifact error = %v, wantErr %v", err, tt.wantErr)
			}
			if got := listFiles(t, toDir); !slices.Equal(got, tt.want) {
				t.Fatalf("toDir holds %q, want %q", got, tt.want)
			}
			if tt.fromPath == "deploy" {
				fi, err := os.Stat(filepath.Join(toDir, "run.sh"))
				if err != nil || fi.Mode().Perm() != 0o755 {
					t.Errorf("run.sh mode %v (%v), want 0755", fi.Mode(), err)
				}
				b, _ := os.ReadFile(filepath.Join(toDir, "app.yaml"))
				if string(b) != "app" {
					t.Errorf("app.yaml = %q", b)
				}
			}
		})
	}
}

func TestCopyFromArtifactOverwritesExisting(t *testing.T) {
	s := newStorage(t, time.Minute, 2)
	src := t.TempDir()
	writeFiles(t, src, []file{{path: "app.yaml", content: "new"}})
	a := newArtifact(t, s, "included", "rev.tar.gz")
	if err := s.Archive(&a, src, nil); err != nil {
		t.Fatal(err)
	}
	toDir := t.TempDir()
	writeFiles(t, toDir, []file{{path: "app.yaml", content: "old and longer", mode: 0o700}})
	if err := s.CopyFromArtifact(a, "", toDir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(toDir, "app.yaml"))
	b, _ := os.ReadFile(filepath.Join(toDir, "app.yaml"))
	if err != nil || string(b) != "new" || fi.Mode().Perm() != 0o644 {
		t.Fatalf("app.yaml = %q mode %v (%v), want \"new\" 0644", b, fi.Mode(), err)
	}
}

// TestCopyFromArtifactRejectsUnsafeEntries feeds hand-crafted artifacts, as a
// tampered storage volume could hold. CopyFromArtifact must return an error
// and write nothing outside toDir.
func TestCopyFromArtifactRejectsUnsafeEntries(t *testing.T) {
	reg := func(name string) rawEntry {
		return rawEntry{Header: tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644}, Body: "pwned"}
	}
	tests := []struct {
		name    string
		entries func(base string) []rawEntry
	}{
		{name: "dotdot", entries: func(string) []rawEntry { return []rawEntry{reg("../evil")} }},
		{name: "deep dotdot", entries: func(string) []rawEntry { return []rawEntry{reg("a/../../evil")} }},
		{name: "dotdot staying inside is still refused", entries: func(string) []rawEntry { return []rawEntry{reg("a/../inside")} }},
		{name: "absolute", entries: func(base string) []rawEntry { return []rawEntry{reg(filepath.Join(base, "evil"))} }},
		{name: "symlink to /etc then write through it", entries: func(string) []rawEntry {
			return []rawEntry{
				{Header: tar.Header{Typeflag: tar.TypeSymlink, Name: "link", Linkname: "/etc"}},
				reg("link/tide-pwned"),
			}
		}},
		{name: "symlink to parent", entries: func(string) []rawEntry {
			return []rawEntry{{Header: tar.Header{Typeflag: tar.TypeSymlink, Name: "up", Linkname: ".."}}}
		}},
		{name: "hard link", entries: func(base string) []rawEntry {
			return []rawEntry{{Header: tar.Header{Typeflag: tar.TypeLink, Name: "hl", Linkname: filepath.Join(base, "outside", "secret")}}}
		}},
		{name: "char device", entries: func(string) []rawEntry {
			return []rawEntry{{Header: tar.Header{Typeflag: tar.TypeChar, Name: "null", Devmajor: 1, Devminor: 3, Mode: 0o666}}}
		}},
		{name: "through a symlink already in toDir", entries: func(string) []rawEntry {
			return []rawEntry{reg("escape/evil")}
		}},
		{name: "overwrite a symlink already in toDir", entries: func(string) []rawEntry {
			return []rawEntry{reg("escape-file")}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStorage(t, time.Minute, 2)
			base := t.TempDir()
			outside := filepath.Join(base, "outside")
			toDir := filepath.Join(base, "work", "to")
			writeFiles(t, outside, []file{{path: "secret", content: "secret"}})
			symlink(t, "../../outside", filepath.Join(toDir, "escape"))
			symlink(t, "../../outside/secret", filepath.Join(toDir, "escape-file"))
			a := newArtifact(t, s, "evil", "rev.tar.gz")
			writeRawArtifact(t, s, a, tt.entries(base))
			beforeBase := listFiles(t, base)

			err := s.CopyFromArtifact(a, "", toDir)
			if err == nil {
				t.Fatal("CopyFromArtifact accepted an unsafe artifact")
			}
			if got := listFiles(t, base); !slices.Equal(got, beforeBase) {
				t.Errorf("files changed:\n got %q\nwas %q", got, beforeBase)
			}
			if b, _ := os.ReadFile(filepath.Join(outside, "secret")); string(b) != "secret" {
				t.Errorf("outside file overwritten: %q", b)
			}
			if _, err := os.Lstat("/etc/tide-pwned"); err == nil {
				t.Error("wrote /etc/tide-pwned")
			}
			if !strings.Contains(err.Error(), "evil/rev.tar.gz") {
				t.Errorf("error %q does not name the artifact", err)
			}
		})
	}
}
