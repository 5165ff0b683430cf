package testkit

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"testing"
)

// TarEntry is one entry of a hand-made archive: its header as given (Size
// is set from Body) and, for a regular file, its content.
type TarEntry struct {
	Header tar.Header
	Body   string
}

// Tar packs entries as given and in order into a tar stream, for archives
// a source-controller would never produce (escaping paths, links, devices),
// to test the code that reads them.
func Tar(t testing.TB, entries ...TarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := e.Header
		h.Size = 0
		if h.Typeflag == tar.TypeReg || h.Typeflag == 0 {
			h.Size = int64(len(e.Body))
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatalf("tar header %q: %v", h.Name, err)
		}
		if h.Size > 0 {
			if _, err := tw.Write([]byte(e.Body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TarGz is Tar, gzipped: an artifact as the source-controller serves it.
func TarGz(t testing.TB, entries ...TarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(Tar(t, entries...)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
