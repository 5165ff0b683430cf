package artifactserver

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const artifactPath = "gitrepository/default/podinfo/abc.tar.gz"

var artifactBytes = []byte("\x1f\x8b pretend this is a tarball, long enough for ranges")

// newRoot makes base/root with one artifact, a directory, a secret next to
// root and symlinks inside root that point outside it.
func newRoot(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	root := filepath.Join(base, "root")
	must(t, os.MkdirAll(filepath.Join(root, filepath.Dir(artifactPath)), 0o755))
	must(t, os.WriteFile(filepath.Join(root, artifactPath), artifactBytes, 0o644))
	must(t, os.WriteFile(filepath.Join(root, "notes.txt"), []byte("plain"), 0o644))
	must(t, os.WriteFile(filepath.Join(base, "secret"), []byte("SECRET"), 0o644))
	must(t, os.Symlink("../secret", filepath.Join(root, "rel-out")))
	must(t, os.Symlink(filepath.Join(base, "secret"), filepath.Join(root, "abs-out")))
	must(t, os.Symlink("..", filepath.Join(root, "updir")))
	return root
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(Handler(newRoot(t)))
	defer srv.Close()
	tests := []struct {
		name, method, path string
		header             map[string]string
		wantStatus         int
		wantBody           string // checked when not empty
		wantType           string // checked when not empty
	}{
		{name: "artifact", method: "GET", path: "/" + artifactPath, wantStatus: 200, wantBody: string(artifactBytes), wantType: "application/gzip"},
		{name: "head", method: "HEAD", path: "/" + artifactPath, wantStatus: 200, wantType: "application/gzip"},
		{name: "range", method: "GET", path: "/" + artifactPath, header: map[string]string{"Range": "bytes=3-7"},
			wantStatus: 206, wantBody: string(artifactBytes[3:8])},
		{name: "not modified", method: "GET", path: "/" + artifactPath,
			header: map[string]string{"If-Modified-Since": time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}, wantStatus: 304},
		{name: "other file type", method: "GET", path: "/notes.txt", wantStatus: 200, wantBody: "plain", wantType: "text/plain; charset=utf-8"},
		{name: "directory", method: "GET", path: "/gitrepository/default/podinfo", wantStatus: 404},
		{name: "directory slash", method: "GET", path: "/gitrepository/default/podinfo/", wantStatus: 404},
		{name: "root", method: "GET", path: "/", wantStatus: 404},
		{name: "missing", method: "GET", path: "/gitrepository/default/podinfo/nope.tar.gz", wantStatus: 404},
		{name: "dotdot", method: "GET", path: "/../secret", wantStatus: 404},
		{name: "encoded dotdot", method: "GET", path: "/%2e%2e/secret", wantStatus: 404},
		{name: "encoded slash dotdot", method: "GET", path: "/gitrepository%2f..%2f..%2fsecret", wantStatus: 404},
		{name: "relative symlink out of root", method: "GET", path: "/rel-out", wantStatus: 404},
		{name: "absolute symlink out of root", method: "GET", path: "/abs-out", wantStatus: 404},
		{name: "through symlinked parent", method: "GET", path: "/updir/secret", wantStatus: 404},
		{name: "post", method: "POST", path: "/" + artifactPath, wantStatus: 405},
		{name: "delete", method: "DELETE", path: "/" + artifactPath, wantStatus: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL, nil)
			must(t, err)
			req.URL.Opaque = tt.path // send the path exactly as written
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			must(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			must(t, err)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d (body %q)", resp.StatusCode, tt.wantStatus, body)
			}
			if strings.Contains(string(body), "SECRET") {
				t.Fatalf("served content from outside root: %q", body)
			}
			if tt.wantBody != "" && string(body) != tt.wantBody {
				t.Errorf("body %q, want %q", body, tt.wantBody)
			}
			if tt.wantType != "" && resp.Header.Get("Content-Type") != tt.wantType {
				t.Errorf("Content-Type %q, want %q", resp.Header.Get("Content-Type"), tt.wantType)
			}
			if tt.method == "HEAD" && (len(body) != 0 || resp.ContentLength != int64(len(artifactBytes))) {
				t.Errorf("HEAD: body %d bytes, Content-Length %d, want 0 and %d", len(body), resp.ContentLength, len(artifactBytes))
			}
			if tt.wantStatus == 405 && resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow = %q", resp.Header.Get("Allow"))
			}
		})
	}
}

// TestHandlerOddPaths sets r.URL.Path directly, for shapes an HTTP client
// would normalize away before sending.
func TestHandlerOddPaths(t *testing.T) {
	root := newRoot(t)
	h := Handler(root)
	for _, p := range []string{
		"//etc/passwd",
		filepath.Join(filepath.Dir(root), "secret"), // absolute path of the secret
		"/" + filepath.Join(filepath.Dir(root), "secret"),
		"/./" + artifactPath,
		"/gitrepository//default/podinfo/abc.tar.gz",
		"gitrepository/default/podinfo/abc.tar.gz", // no leading slash
		"",
		"*",
	} {
		t.Run(p, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.URL.Path = p
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "SECRET") {
				t.Fatalf("status %d body %q, want 404", rec.Code, rec.Body.String())
			}
		})
	}
}

func TestServeShutsDownWhenContextEnds(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, newRoot(t)) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/" + artifactPath)
	must(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != string(artifactBytes) {
		t.Fatalf("GET: %d %q", resp.StatusCode, body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after shutdown, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return after ctx was cancelled")
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/" + artifactPath); err == nil {
		t.Fatal("server still answering after shutdown")
	}
}

func TestServeReportsListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer ln.Close()
	// The port is taken, so Serve must fail at once instead of blocking.
	if err := Serve(context.Background(), ln.Addr().String(), t.TempDir()); err == nil {
		t.Fatal("Serve on a busy address returned nil")
	}
}
