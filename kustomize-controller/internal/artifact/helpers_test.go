package artifact

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tidegitops/tide/testkit"
)

// tarEntry describes one entry of a test archive. The zero typ is a regular
// file with mode 0644.
type tarEntry struct {
	name string
	typ  byte
	body string
	mode int64
	link string
}

func file(name, body string) tarEntry { return tarEntry{name: name, body: body} }
func dir(name string) tarEntry        { return tarEntry{name: name, typ: tar.TypeDir} }
func symlink(name, target string) tarEntry {
	return tarEntry{name: name, typ: tar.TypeSymlink, link: target}
}

// tarStream builds an uncompressed tar from the entries.
func tarStream(t testing.TB, entries ...tarEntry) []byte {
	t.Helper()
	raw := make([]testkit.TarEntry, 0, len(entries))
	for _, e := range entries {
		h := tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, Linkname: e.link}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		raw = append(raw, testkit.TarEntry{Header: h, Body: e.body})
	}
	return testkit.Tar(t, raw...)
}

// tarball builds a .tar.gz from the entries, as the source-controller serves.
func tarball(t testing.TB, entries ...tarEntry) []byte {
	t.Helper()
	return gzipped(t, tarStream(t, entries...))
}

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sha256Of(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// artifactServer stands in for the source-controller: it serves artifacts by
// path and counts the requests it gets.
type artifactServer struct {
	*httptest.Server
	requests atomic.Int64

	mu    sync.Mutex
	files map[string][]byte
	gate  chan struct{} // when set, responses wait until it is closed
}

func newArtifactServer(t testing.TB) *artifactServer {
	s := &artifactServer{files: map[string][]byte{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.Close)
	return s
}

func (s *artifactServer) handle(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.mu.Lock()
	body, ok := s.files[r.URL.Path]
	gate := s.gate
	s.mu.Unlock()
	if gate != nil {
		<-gate
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Write(body)
}

// hold makes responses wait until gate is closed.
func (s *artifactServer) hold(gate chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate = gate
}

// serve publishes body at path and returns its URL.
func (s *artifactServer) serve(path string, body []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = body
	return s.URL + path
}

// newTestCache returns a cache in a fresh directory.
func newTestCache(t testing.TB, opts Options) (*Cache, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cache")
	c, err := NewCache(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, dir
}

// names lists a directory, sorted; a missing directory lists as empty.
func names(t testing.TB, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	out := []string{}
	for _, de := range des {
		out = append(out, de.Name())
	}
	sort.Strings(out)
	return out
}
