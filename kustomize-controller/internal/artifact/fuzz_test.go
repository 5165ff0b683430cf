package artifact

import (
	"archive/tar"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var fuzzLimits = limits{maxBytes: 1 << 20, maxEntries: 1000}

// FuzzExtract feeds arbitrary bytes to the tar reader: whatever they are,
// unpacking must not panic nor write or link outside its root.
//
// Run it with -fuzzminimizetime=100x: every exec touches the disk, and with
// the default the fuzzer spends a minute minimizing each new multi-KB input.
//
//	go test -run '^$' -fuzz '^FuzzExtract$' -fuzztime 30s -fuzzminimizetime 100x ./internal/artifact/
func FuzzExtract(f *testing.F) {
	for _, entries := range fuzzSeeds {
		f.Add(tarStream(f, entries...))
	}
	f.Fuzz(func(t *testing.T, stream []byte) {
		base, root := fuzzRoot(t)
		_ = unpackTar(bytes.NewReader(stream), root, fuzzLimits)
		checkConfined(t, base, root)
	})
}

// FuzzExtractEntries does the same with well-formed archives of arbitrary
// entries, which random bytes rarely are (a header has a checksum). Each
// line of spec is one entry: a type letter (d dir, l symlink, h hard link,
// anything else a file), a tab, the name, a tab, the link target.
func FuzzExtractEntries(f *testing.F) {
	for _, entries := range fuzzSeeds {
		f.Add(specOf(entries))
	}
	f.Fuzz(func(t *testing.T, spec string) {
		stream, ok := streamOf(spec)
		if !ok {
			return // archive/tar cannot write these names
		}
		base, root := fuzzRoot(t)
		_ = unpackTar(bytes.NewReader(stream), root, fuzzLimits)
		checkConfined(t, base, root)
	})
}

// fuzzSeeds are archives that reached the interesting branches once.
var fuzzSeeds = [][]tarEntry{
	{dir("a/"), file("a/b", "b"), symlink("a/c", "b"), tarEntry{name: "x", body: "#!", mode: 0o755}},
	{file("../x", "x")},
	{file("/abs", "x")},
	{symlink("a/b", "../../..")},
	{symlink("d/x", "."), symlink("d/y", "x/../..")},
	{dir("sub/"), symlink("link", "sub"), file("link/x", "x")},
	{symlink("link", ".."), file("link/x", "x")},
	{file("a", "a"), {name: "b", typ: tar.TypeLink, link: "a"}},
	{symlink("y", "a"), file("y", "replaced")},
}

// fuzzRoot makes the unpack root a few levels down a fresh base, so that a
// path climbing out of it lands where checkConfined looks.
func fuzzRoot(t *testing.T) (base, root string) {
	base = t.TempDir()
	root = filepath.Join(base, "1", "2", "3", "root")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	return base, root
}

// checkConfined fails the test for each escape that escapes finds.
func checkConfined(t *testing.T, base, root string) {
	t.Helper()
	found, err := escapes(base, root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range found {
		t.Error(e)
	}
}

// escapes lists what exists in base outside root, and the symlinks in root
// that resolve outside it (os.Root refuses to follow those).
func escapes(base, root string) (found []string, err error) {
	err = filepath.WalkDir(base, func(p string, de fs.DirEntry, err error) error {
		inRoot := p == root || strings.HasPrefix(p, root+string(filepath.Separator))
		aboveRoot := strings.HasPrefix(root, p+string(filepath.Separator))
		if err == nil && !inRoot && !aboveRoot {
			found = append(found, "written outside the root: "+p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}

	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	err = filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.Type()&fs.ModeSymlink == 0 {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if _, err := r.Stat(rel); err != nil && strings.Contains(err.Error(), "escapes") {
			target, _ := os.Readlink(p)
			found = append(found, "symlink "+rel+" -> "+target+" leads outside the root")
		}
		return nil
	})
	return found, err
}

// specOf writes entries in FuzzExtractEntries' spec format.
func specOf(entries []tarEntry) string {
	var b strings.Builder
	for _, e := range entries {
		letter := map[byte]string{tar.TypeDir: "d", tar.TypeSymlink: "l", tar.TypeLink: "h"}[e.typ]
		if letter == "" {
			letter = "f"
		}
		b.WriteString(letter + "\t" + e.name + "\t" + e.link + "\n")
	}
	return b.String()
}

// streamOf builds the tar a spec describes; ok is false if archive/tar
// refuses one of its headers.
func streamOf(spec string) (stream []byte, ok bool) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for line := range strings.Lines(spec) {
		kind, rest, _ := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		name, link, _ := strings.Cut(rest, "\t")
		hdr := &tar.Header{Name: name, Linkname: link, Mode: 0o644, Typeflag: tar.TypeReg, Size: 1}
		switch kind {
		case "d":
			hdr.Typeflag, hdr.Size = tar.TypeDir, 0
		case "l":
			hdr.Typeflag, hdr.Size = tar.TypeSymlink, 0
		case "h":
			hdr.Typeflag, hdr.Size = tar.TypeLink, 0
		}
		if tw.WriteHeader(hdr) != nil {
			return nil, false
		}
		if hdr.Size > 0 {
			tw.Write([]byte("x"))
		}
	}
	if tw.Close() != nil {
		return nil, false
	}
	return buf.Bytes(), true
}

// The fuzz targets are only as good as checkConfined: make sure it sees an
// escape when there is one.
func TestCheckConfinedSeesEscapes(t *testing.T) {
	for name, escape := range map[string]func(root string) error{
		"file beside the root": func(root string) error {
			return os.WriteFile(filepath.Join(root, "..", "x"), nil, 0o644)
		},
		"symlink out of the root": func(root string) error {
			return os.Symlink("../../x", filepath.Join(root, "l"))
		},
		"symlink chain out of the root": func(root string) error {
			if err := os.MkdirAll(filepath.Join(root, "d"), 0o755); err != nil {
				return err
			}
			if err := os.Symlink(".", filepath.Join(root, "d", "x")); err != nil {
				return err
			}
			return os.Symlink("x/../..", filepath.Join(root, "d", "y"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			base, root := fuzzRoot(t)
			if err := escape(root); err != nil {
				t.Fatal(err)
			}
			found, err := escapes(base, root)
			if err != nil {
				t.Fatal(err)
			}
			if len(found) == 0 {
				t.Error("escapes missed the escape")
			}
		})
	}
}
