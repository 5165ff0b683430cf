package storage_test

import (
	"archive/tar"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const outsideSentinel = "OUTSIDE-SENTINEL"

// FuzzArchivePaths builds a source tree from fuzzed file names (one per line)
// and symlinks ("name->target" per line, targets unrestricted), archives it
// and checks what a consumer extracting the tarball relies on: only relative,
// clean paths without "..", only directories and regular files, no .git, no
// content from outside the tree, and every plain file present.
func FuzzArchivePaths(f *testing.F) {
	f.Add("a\nb/c\nb/d/e.yaml", "l->b/c")
	f.Add("x\n.git/config\nsub/.git", "up->../outside\nabs->/etc/passwd\ng->.git/config")
	f.Add("d/f", "loop1->loop2\nloop2->loop1\nd/dl->..\nd/chain->dl/d/f")
	f.Fuzz(func(t *testing.T, names, links string) {
		base := t.TempDir()
		writeFiles(t, base, []file{{path: "outside", content: outsideSentinel}})
		src := filepath.Join(base, "src")
		if err := os.Mkdir(src, 0o755); err != nil {
			t.Fatal(err)
		}
		// Building through os.Root keeps a fuzzed symlink from redirecting
		// the setup itself outside the temp dir.
		root, err := os.OpenRoot(src)
		if err != nil {
			t.Fatal(err)
		}
		defer root.Close()
		created := createFuzzFiles(root, names)
		createFuzzLinks(root, links)

		s := newStorage(t, time.Minute, 2)
		a := newArtifact(t, s, "fuzz", "rev.tar.gz")
		if err := s.Archive(&a, src, nil); err != nil {
			t.Fatalf("Archive: %v", err)
		}
		_, entries := readTarGz(t, s.LocalPath(a))
		for name, e := range entries {
			checkArchivedEntry(t, name, e)
		}
		for _, p := range created {
			e, ok := entries[p]
			if !ok || e.content != fuzzContent(p) {
				t.Errorf("file %q missing or wrong in archive (%q)", p, e.content)
			}
		}
	})
}

func checkArchivedEntry(t *testing.T, name string, e tarEntry) {
	t.Helper()
	clean := name
	switch e.hdr.Typeflag {
	case tar.TypeDir:
		var ok bool
		if clean, ok = strings.CutSuffix(name, "/"); !ok {
			t.Errorf("dir entry %q without trailing slash", name)
		}
	case tar.TypeReg:
		if !strings.HasPrefix(e.content, "content:") {
			t.Errorf("entry %q has content not from inside the tree: %q", name, e.content)
		}
	default:
		t.Errorf("entry %q has type %q", name, e.hdr.Typeflag)
	}
	if !fs.ValidPath(clean) || clean == "." || path.Clean(clean) != clean || path.IsAbs(clean) {
		t.Errorf("entry name %q is not relative and clean", name)
	}
	if slices.Contains(strings.Split(clean, "/"), "..") || slices.Contains(strings.Split(clean, "/"), ".git") {
		t.Errorf("entry name %q has a '..' or '.git' element", name)
	}
}

func fuzzContent(p string) string { return "content:" + p }

// createFuzzFiles creates the valid names among lines as regular files and
// returns those a correct Archive must include.
func createFuzzFiles(root *os.Root, lines string) []string {
	var created []string
	for i, name := range strings.Split(lines, "\n") {
		if i >= 32 || len(name) > 200 || !fs.ValidPath(name) || name == "." {
			continue
		}
		if dir := path.Dir(name); dir != "." && root.MkdirAll(dir, 0o755) != nil {
			continue
		}
		if root.WriteFile(name, []byte(fuzzContent(name)), 0o644) != nil {
			continue
		}
		created = append(created, name)
	}
	// A later name may have turned an earlier file into a directory's path.
	var out []string
	for _, p := range created {
		fi, err := root.Lstat(p)
		if err == nil && fi.Mode().IsRegular() && !slices.Contains(strings.Split(p, "/"), ".git") && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// createFuzzLinks creates "name->target" symlinks with unrestricted targets.
func createFuzzLinks(root *os.Root, lines string) {
	for i, line := range strings.Split(lines, "\n") {
		name, target, ok := strings.Cut(line, "->")
		if i >= 16 || !ok || len(name) > 200 || !fs.ValidPath(name) || name == "." || len(target) > 300 {
			continue
		}
		if dir := path.Dir(name); dir != "." && root.MkdirAll(dir, 0o755) != nil {
			continue
		}
		_ = root.Symlink(target, name)
	}
}

// FuzzCopyFromArtifact extracts hand-made artifacts whose entry names, types
// and link targets are fuzzed, into a toDir that already holds a symlink to
// outside, and checks that nothing outside toDir changed and that no link
// was created inside it.
func FuzzCopyFromArtifact(f *testing.F) {
	f.Add("a\nb/c", []byte("50"), "\n", "")
	f.Add("../evil\n/abs\nlink", []byte("002"), "\n\n/etc", "")
	f.Add("escape/evil\nx/../../y", []byte("00"), "", "escape")
	f.Add("hl\nsub/dev", []byte("13"), "../outside/secret\n", "sub")
	f.Fuzz(func(t *testing.T, names string, types []byte, links, fromPath string) {
		base := t.TempDir()
		outside := filepath.Join(base, "outside")
		toDir := filepath.Join(base, "work", "to")
		writeFiles(t, outside, []file{{path: "secret", content: "secret"}})
		symlink(t, "../../outside", filepath.Join(toDir, "escape"))
		s, err := newStorageAt(filepath.Join(base, "storage"))
		if err != nil {
			t.Fatal(err)
		}
		a := newArtifact(t, s, "fuzz", "rev.tar.gz")
		writeRawArtifact(t, s, a, fuzzEntries(names, types, links))
		before := snapshot(t, base, toDir)

		_ = s.CopyFromArtifact(a, fromPath, toDir) // error or not, the checks below hold

		if after := snapshot(t, base, toDir); !slices.Equal(after, before) {
			t.Fatalf("outside toDir changed:\n got %q\nwas %q", after, before)
		}
		err = filepath.WalkDir(toDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p != filepath.Join(toDir, "escape") && !d.IsDir() && !d.Type().IsRegular() {
				t.Errorf("CopyFromArtifact created %s of type %v", p, d.Type())
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// fuzzEntries turns fuzz input into tar entries that tar.Writer accepts
// (writeRawArtifact fails the test otherwise, so invalid ones are dropped).
func fuzzEntries(names string, types []byte, links string) []rawEntry {
	linkList := strings.Split(links, "\n")
	var out []rawEntry
	for i, name := range strings.Split(names, "\n") {
		if i >= 16 {
			break
		}
		e := rawEntry{Header: tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644 | int64(i%2)*0o111}}
		if i < len(types) {
			e.Header.Typeflag = types[i]
		}
		if i < len(linkList) {
			e.Header.Linkname = linkList[i]
		}
		if e.Header.Typeflag == tar.TypeReg {
			e.Body = "pwned"
		}
		if validTarHeader(e.Header) {
			out = append(out, e)
		}
	}
	return out
}

// validTarHeader reports whether tar.Writer would accept h.
func validTarHeader(h tar.Header) bool {
	h.Size = 5
	if h.Typeflag != tar.TypeReg {
		h.Size = 0
	}
	tw := tar.NewWriter(discard{})
	return tw.WriteHeader(&h) == nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// snapshot lists every path under base except below skip, with its type,
// size and content for regular files.
func snapshot(t *testing.T, base, skip string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == skip {
			return fs.SkipDir
		}
		desc := p + " " + d.Type().String()
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			desc += " " + string(b)
		}
		out = append(out, desc)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
