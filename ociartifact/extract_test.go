package ociartifact

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExtractWritesFilesFoldersAndInnerSymlinks(t *testing.T) {
	layer := tarGz(t,
		dir("apps/"),
		file("apps/deploy.yaml", "kind: Deployment"),
		tarEntry{name: "bin/run.sh", typ: tar.TypeReg, body: "#!/bin/sh", mode: 0o700},
		symlink("apps/link.yaml", "deploy.yaml"),
		symlink("top", "apps"),
		file("./dotted.yaml", "x"),
	)
	dest := filepath.Join(t.TempDir(), "out")
	if err := Extract(bytes.NewReader(layer), dest, 0); err != nil {
		t.Fatalf("Extract: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dest, "apps", "link.yaml")); string(got) != "kind: Deployment" {
		t.Errorf("apps/link.yaml reads %q", got)
	}
	if got, _ := os.ReadFile(filepath.Join(dest, "dotted.yaml")); string(got) != "x" {
		t.Errorf("dotted.yaml reads %q", got)
	}
	fi, err := os.Stat(filepath.Join(dest, "bin", "run.sh"))
	if err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("bin/run.sh: mode %v, err %v; want 0755", fi.Mode(), err)
	}
	if fi, _ := os.Stat(filepath.Join(dest, "apps", "deploy.yaml")); fi.Mode().Perm() != 0o644 {
		t.Errorf("apps/deploy.yaml: mode %v, want 0644", fi.Mode())
	}
}

// Each refusal names the entry and says what to do, and nothing lands
// outside the destination.
func TestExtractRefuses(t *testing.T) {
	big := strings.Repeat("x", 2048)
	tests := []struct {
		name    string
		layer   func(t *testing.T) []byte
		maxSize int64
		want    error
		wantMsg string
	}{
		{name: "dot-dot path", layer: func(t *testing.T) []byte { return tarGz(t, file("../evil", "x")) },
			want: ErrUnsafeArchive, wantMsg: `"../evil", which leaves the destination`},
		{name: "dot-dot inside path", layer: func(t *testing.T) []byte { return tarGz(t, file("a/../../evil", "x")) },
			want: ErrUnsafeArchive, wantMsg: "leaves the destination"},
		{name: "absolute path", layer: func(t *testing.T) []byte { return tarGz(t, file("/tmp/evil", "x")) },
			want: ErrUnsafeArchive, wantMsg: "is an absolute path"},
		{name: "symlink leaving dest", layer: func(t *testing.T) []byte { return tarGz(t, symlink("link", "../../etc")) },
			want: ErrUnsafeArchive, wantMsg: "outside the destination"},
		{name: "absolute symlink", layer: func(t *testing.T) []byte { return tarGz(t, symlink("link", "/etc/passwd")) },
			want: ErrUnsafeArchive, wantMsg: "absolute path"},
		{name: "dot-dot after a name in a symlink", layer: func(t *testing.T) []byte {
			return tarGz(t, dir("d/"), symlink("d/x", "."), symlink("d/y", "x/../.."))
		}, want: ErrUnsafeArchive, wantMsg: "'..' after a name"},
		{name: "write through a symlink", layer: func(t *testing.T) []byte {
			return tarGz(t, dir("sub/"), symlink("link", "sub"), file("link/x", "x"))
		}, want: ErrUnsafeArchive, wantMsg: `goes through the symlink "link"`},
		{name: "hard link", layer: func(t *testing.T) []byte {
			return tarGz(t, tarEntry{name: "h", typ: tar.TypeLink, linkname: "/etc/passwd"})
		}, want: ErrUnsafeArchive, wantMsg: "hard link"},
		{name: "character device", layer: func(t *testing.T) []byte {
			return tarGz(t, tarEntry{name: "null", typ: tar.TypeChar})
		}, want: ErrUnsafeArchive, wantMsg: "device file"},
		{name: "block device", layer: func(t *testing.T) []byte {
			return tarGz(t, tarEntry{name: "sda", typ: tar.TypeBlock})
		}, want: ErrUnsafeArchive, wantMsg: "device file"},
		{name: "named pipe", layer: func(t *testing.T) []byte {
			return tarGz(t, tarEntry{name: "fifo", typ: tar.TypeFifo})
		}, want: ErrUnsafeArchive, wantMsg: "named pipe"},
		{name: "over the size limit", layer: func(t *testing.T) []byte {
			return tarGz(t, file("a", big), file("b", big))
		}, maxSize: 3000, want: ErrTooLarge, wantMsg: "more than 3000 bytes"},
		{name: "one entry over the size limit", layer: func(t *testing.T) []byte {
			return tarGz(t, file("a", big))
		}, maxSize: 100, want: ErrTooLarge, wantMsg: "raise the size limit"},
		{name: "not gzip", layer: func(t *testing.T) []byte { return tarStream(t, file("a", "x")) },
			want: ErrInvalidArchive, wantMsg: "not gzip-compressed"},
		{name: "not a tarball", layer: func(t *testing.T) []byte { return gz(t, []byte(strings.Repeat("garbage!", 100))) },
			want: ErrInvalidArchive, wantMsg: "not a valid tarball"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			dest := filepath.Join(base, "a", "b", "dest")
			err := Extract(bytes.NewReader(tt.layer(t)), dest, tt.maxSize)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Extract error = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("message %q does not contain %q", err, tt.wantMsg)
			}
			checkConfined(t, base, dest)
		})
	}
}

// The header's size is not trusted: the bytes actually read count.
func TestExtractCountsEveryFile(t *testing.T) {
	var entries []tarEntry
	for i := range 10 {
		entries = append(entries, file(strings.Repeat("f", i+1), strings.Repeat("x", 100)))
	}
	err := Extract(bytes.NewReader(tarGz(t, entries...)), t.TempDir(), 999)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Extract error = %v, want ErrTooLarge", err)
	}
	if err := Extract(bytes.NewReader(tarGz(t, entries...)), t.TempDir(), 1000); err != nil {
		t.Fatalf("Extract at exactly the limit: %v", err)
	}
	if err := Extract(bytes.NewReader(tarGz(t, entries...)), t.TempDir(), NoSizeLimit); err != nil {
		t.Fatalf("Extract without limit: %v", err)
	}
}

// A symlink the destination already had is not followed (os.Root).
func TestExtractDoesNotFollowExistingSymlinks(t *testing.T) {
	base := t.TempDir()
	dest := filepath.Join(base, "dest")
	outside := filepath.Join(base, "outside")
	for _, d := range []string{dest, outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(dest, "escape")); err != nil {
		t.Fatal(err)
	}
	err := Extract(bytes.NewReader(tarGz(t, file("escape/x", "x"))), dest, 0)
	if err == nil {
		t.Fatal("Extract wrote through a symlink that leaves dest")
	}
	if _, statErr := os.Stat(filepath.Join(outside, "x")); statErr == nil {
		t.Fatal("a file was written outside dest")
	}
}

// checkConfined fails if anything exists under base outside dest, or if a
// symlink under dest leads outside it.
func checkConfined(t *testing.T, base, dest string) {
	t.Helper()
	_ = filepath.Walk(base, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		if p == base || strings.HasPrefix(dest, p+string(filepath.Separator)) || p == dest {
			return nil
		}
		if !strings.HasPrefix(p, dest+string(filepath.Separator)) {
			t.Errorf("%s was written outside %s", p, dest)
			return nil
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			resolved, err := filepath.EvalSymlinks(p)
			if err == nil && resolved != dest && !strings.HasPrefix(resolved, dest+string(filepath.Separator)) {
				t.Errorf("symlink %s leads outside dest, to %s", p, resolved)
			}
		}
		return nil
	})
}

// A reader that fails (a download cut short) is not taken for a broken
// layer: the error is the reader's, to be retried, or its own kind.
func TestExtractBlamesAFailingSource(t *testing.T) {
	layer := tarGz(t, file("a", strings.Repeat("x", 64<<10)), file("b", "b"))
	cut := errors.New("connection reset by peer")
	for _, at := range []int{5, 40, len(layer) / 2, len(layer) - 10} {
		err := Extract(&failingReader{data: layer[:at], err: cut}, t.TempDir(), 0)
		if !errors.Is(err, cut) || errors.Is(err, ErrInvalidArchive) {
			t.Errorf("cut at %d: %v, want the reader's error and not ErrInvalidArchive", at, err)
		}
	}
	tooLarge := newError(ErrTooLarge, "over the limit")
	err := Extract(&failingReader{data: layer[:len(layer)/2], err: tooLarge}, t.TempDir(), 0)
	if !errors.Is(err, ErrTooLarge) || errors.Is(err, ErrInvalidArchive) {
		t.Errorf("source over its limit: %v, want ErrTooLarge alone", err)
	}
}

type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// A gzip stream cut after the tarball's end still fails: its trailer (the
// checksum) is missing.
func TestExtractRefusesATruncatedLayer(t *testing.T) {
	layer := tarGz(t, file("a", "a"))
	err := Extract(bytes.NewReader(layer[:len(layer)-4]), t.TempDir(), 0)
	if !errors.Is(err, ErrInvalidArchive) || !strings.Contains(err.Error(), "cut short") {
		t.Fatalf("Extract of a truncated layer: %v, want ErrInvalidArchive saying it is cut short", err)
	}
}
