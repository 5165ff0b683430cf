package artifact

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
)

// unpackInto unpacks a .tar.gz into base/root and returns root. base is
// there to catch anything written next to root.
func unpackInto(t *testing.T, archive []byte, lim limits) (root string, err error) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	err = unpack(bytes.NewReader(archive), root, lim)
	if got := names(t, base); len(got) != 1 {
		t.Errorf("unpack wrote outside its root: %v", got)
	}
	return root, err
}

var testLimits = limits{maxBytes: 1 << 20, maxEntries: 100}

func TestUnpackRefusesUnsafeArchives(t *testing.T) {
	tests := []struct {
		name    string
		entries []tarEntry
		wantMsg string
	}{{
		name:    "parent path",
		entries: []tarEntry{file("../x", "x")},
		wantMsg: `unsafe path "../x"`,
	}, {
		name:    "parent path in the middle",
		entries: []tarEntry{file("a/../../x", "x")},
		wantMsg: "leaves the artifact root",
	}, {
		name:    "parent path that cleans away",
		entries: []tarEntry{file("a/../x", "x")}, // harmless, but no source writes it
		wantMsg: "leaves the artifact root",
	}, {
		name:    "absolute path",
		entries: []tarEntry{file("/etc/cron.d/x", "x")},
		wantMsg: "is absolute",
	}, {
		name:    "symlink to an absolute path",
		entries: []tarEntry{symlink("etc", "/etc")},
		wantMsg: `symlink to the absolute path "/etc"`,
	}, {
		name:    "symlink climbing out",
		entries: []tarEntry{dir("a/"), symlink("a/b", "../../..")},
		wantMsg: "outside the artifact root",
	}, {
		name:    "symlink one level out",
		entries: []tarEntry{symlink("a/b", "../..")},
		wantMsg: "outside the artifact root",
	}, {
		name: "symlink stepping back out of another symlink",
		// path.Clean("d/x/../..") is ".", but d/x is a link to d, so the
		// kernel resolves it to the parent of root.
		entries: []tarEntry{symlink("d/x", "."), symlink("d/y", "x/../..")},
		wantMsg: "'..' after a name",
	}, {
		name:    "file through a symlink",
		entries: []tarEntry{dir("sub/"), symlink("link", "sub"), file("link/x", "x")},
		wantMsg: `goes through the symlink "link"`,
	}, {
		name:    "file through a nested symlink",
		entries: []tarEntry{dir("a/sub/"), symlink("a/link", "sub"), file("a/link/b/x", "x")},
		wantMsg: `goes through the symlink "a/link"`,
	}, {
		name:    "directory over a symlink",
		entries: []tarEntry{dir("sub/"), symlink("link", "sub"), dir("link/")},
		wantMsg: `goes through the symlink "link"`,
	}, {
		name:    "hard link",
		entries: []tarEntry{file("a", "a"), {name: "b", typ: tar.TypeLink, link: "a"}},
		wantMsg: "hard link",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := unpackInto(t, tarball(t, tt.entries...), testLimits)
			g.Expect(err).To(MatchError(ErrUnsafeArchive))
			g.Expect(err.Error()).To(ContainSubstring(tt.wantMsg))
			g.Expect(err.Error()).To(ContainSubstring("fix the source"))
		})
	}
}

func TestUnpackRefusesOversizedArchives(t *testing.T) {
	tests := []struct {
		name    string
		entries []tarEntry
		wantMsg string
	}{{
		name:    "too many bytes in one file",
		entries: []tarEntry{file("a", strings.Repeat("x", 101))},
		wantMsg: "more than 100 bytes: refusing to unpack it; make the source smaller or raise --max-artifact-size",
	}, {
		name:    "too many bytes in all files",
		entries: []tarEntry{file("a", strings.Repeat("x", 60)), file("b", strings.Repeat("x", 60))},
		wantMsg: "more than 100 bytes",
	}, {
		name:    "too many entries",
		entries: []tarEntry{dir("a/"), dir("b/"), dir("c/"), dir("d/")},
		wantMsg: "more than 3 entries",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := unpackInto(t, tarball(t, tt.entries...), limits{maxBytes: 100, maxEntries: 3})
			g.Expect(err).To(MatchError(ErrTooLarge))
			g.Expect(err.Error()).To(ContainSubstring(tt.wantMsg))
		})
	}
}

// A gzip bomb is small on the wire: the unpacked size is what is counted.
func TestGetRefusesArchiveUnpackingOverMaxSize(t *testing.T) {
	g := NewWithT(t)
	srv := newArtifactServer(t)
	body := tarball(t, file("zeros", strings.Repeat("\x00", 1<<20)))
	c, cacheDir := newTestCache(t, Options{MaxSize: 64 << 10})
	g.Expect(len(body)).To(BeNumerically("<", 64<<10))

	_, _, err := c.Get(t.Context(), srv.serve("/bomb.tar.gz", body), sha256Of(body))
	g.Expect(err).To(MatchError(ErrTooLarge))
	g.Expect(names(t, cacheDir)).To(BeEmpty())
}

func TestUnpackRefusesInvalidArchives(t *testing.T) {
	tests := []struct {
		name    string
		archive func(t *testing.T) []byte
		wantMsg string
	}{{
		name:    "not gzip",
		archive: func(t *testing.T) []byte { return tarStream(t, file("a", "a")) },
		wantMsg: "not gzip-compressed",
	}, {
		name:    "gzip but not tar",
		archive: func(t *testing.T) []byte { return gzipped(t, bytes.Repeat([]byte("not a tar "), 100)) },
		wantMsg: "not a valid tarball",
	}, {
		name: "truncated",
		archive: func(t *testing.T) []byte {
			b := tarball(t, file("a", strings.Repeat("abcdefgh", 1000)))
			return b[:len(b)/2]
		},
		wantMsg: "unexpected EOF",
	}, {
		name:    "symlink without target",
		archive: func(t *testing.T) []byte { return tarball(t, symlink("a", "")) },
		wantMsg: "has no target",
	}, {
		name:    "file replacing a directory",
		archive: func(t *testing.T) []byte { return tarball(t, dir("a/"), file("a", "a")) },
		wantMsg: "replaces a directory",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := unpackInto(t, tt.archive(t), testLimits)
			g.Expect(err).To(MatchError(ErrInvalidArchive))
			g.Expect(err.Error()).To(ContainSubstring(tt.wantMsg))
		})
	}
}

func TestUnpackEdgeCases(t *testing.T) {
	g := NewWithT(t)
	root, err := unpackInto(t, tarball(t,
		dir("./"),                // the root's own entry
		file("./a/b.yaml", "b"),  // leading ./
		file("a//c.yaml", "c"),   // doubled slash
		file("x", "first"),       // replaced by the later entry, as tar does
		file("x", "second"),      //
		symlink("y", "a"),        // replaced by a file: the link is removed,
		file("y", "not a link"),  // not written through
		symlink("a/up", "../a"),  // climbing inside root is fine
		symlink("a/self", "./."), // so is pointing at its own directory
		tarEntry{name: "fifo", typ: tar.TypeFifo},
		tarEntry{name: "dev", typ: tar.TypeChar},
	), testLimits)
	g.Expect(err).NotTo(HaveOccurred())

	g.Expect(os.ReadFile(filepath.Join(root, "a/b.yaml"))).To(BeEquivalentTo("b"))
	g.Expect(os.ReadFile(filepath.Join(root, "a/c.yaml"))).To(BeEquivalentTo("c"))
	g.Expect(os.ReadFile(filepath.Join(root, "x"))).To(BeEquivalentTo("second"))
	g.Expect(os.ReadFile(filepath.Join(root, "y"))).To(BeEquivalentTo("not a link"))
	g.Expect(filepath.Join(root, "a")).To(BeADirectory())
	g.Expect(os.Readlink(filepath.Join(root, "a/up"))).To(Equal("../a"))
	g.Expect(filepath.Join(root, "fifo")).NotTo(BeAnExistingFile(), "devices and fifos are skipped")
	g.Expect(filepath.Join(root, "dev")).NotTo(BeAnExistingFile())
}
