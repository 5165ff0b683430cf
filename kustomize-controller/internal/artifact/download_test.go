package artifact

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
)

func TestGetDigestMismatch(t *testing.T) {
	g := NewWithT(t)
	srv := newArtifactServer(t)
	served := tarball(t, file("a.yaml", "new"))
	expected := tarball(t, file("a.yaml", "old"))
	c, cacheDir := newTestCache(t, Options{})

	_, _, err := c.Get(context.Background(), srv.serve("/a.tar.gz", served), sha256Of(expected))

	g.Expect(err).To(MatchError(ErrDigestMismatch))
	g.Expect(err.Error()).To(And(
		ContainSubstring("expected "+sha256Of(expected)),
		ContainSubstring("got "+sha256Of(served)),
		ContainSubstring("retried"),
	))
	g.Expect(names(t, cacheDir)).To(BeEmpty(), "nothing is unpacked, no download is left")
}

func TestGetDownloadFailures(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tests := []struct {
		name    string
		url     func(srv *artifactServer) string
		wantErr error
		wantMsg string
	}{{
		name:    "not found",
		url:     func(srv *artifactServer) string { return srv.URL + "/gone.tar.gz" },
		wantErr: ErrDownload,
		wantMsg: "HTTP status 404 Not Found",
	}, {
		name:    "unreachable",
		url:     func(*artifactServer) string { return closed.URL + "/a.tar.gz" },
		wantErr: ErrDownload,
		wantMsg: "the source-controller may be unreachable",
	}, {
		name:    "not a URL",
		url:     func(*artifactServer) string { return "http://a b/\x7f" },
		wantErr: ErrDownload,
		wantMsg: "invalid artifact URL",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			srv := newArtifactServer(t)
			c, cacheDir := newTestCache(t, Options{})
			_, _, err := c.Get(context.Background(), tt.url(srv), sha256Of(nil))
			g.Expect(err).To(MatchError(tt.wantErr))
			g.Expect(err.Error()).To(ContainSubstring(tt.wantMsg))
			g.Expect(names(t, cacheDir)).To(BeEmpty())
		})
	}
}

func TestGetTooLargeDownload(t *testing.T) {
	body := tarball(t, file("big.yaml", strings.Repeat("x", 10_000)))
	for name, handler := range map[string]http.HandlerFunc{
		"with Content-Length": func(w http.ResponseWriter, _ *http.Request) { w.Write(body) },
		"chunked": func(w http.ResponseWriter, _ *http.Request) {
			w.(http.Flusher).Flush() // headers go out before the length is known
			w.Write(body)
		},
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			srv := httptest.NewServer(handler)
			defer srv.Close()
			c, cacheDir := newTestCache(t, Options{MaxSize: int64(len(body)) - 1})

			_, _, err := c.Get(context.Background(), srv.URL+"/a.tar.gz", sha256Of(body))
			g.Expect(err).To(MatchError(ErrTooLarge))
			g.Expect(err.Error()).To(ContainSubstring("--max-artifact-size"))
			g.Expect(names(t, cacheDir)).To(BeEmpty())
		})
	}
}

func TestGetDownloadOfExactlyMaxSize(t *testing.T) {
	g := NewWithT(t)
	srv := newArtifactServer(t)
	body := tarball(t, file("a.yaml", "a"))
	c, _ := newTestCache(t, Options{MaxSize: int64(len(body))})
	_, release, err := c.Get(context.Background(), srv.serve("/a.tar.gz", body), sha256Of(body))
	g.Expect(err).NotTo(HaveOccurred())
	release()
}

// Errors end up in a Kubernetes condition that many can read: the URL's
// credentials and query (often a token) must not be in them.
func TestErrorsDoNotLeakURLSecrets(t *testing.T) {
	srv := newArtifactServer(t)
	served := tarball(t, file("a.yaml", "a"))
	srv.serve("/a.tar.gz", served)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	withSecrets := func(base string) string {
		u, _ := url.Parse(base)
		u.User = url.UserPassword("alice", "s3cret-pass")
		u.RawQuery = "token=s3cret-token"
		u.Fragment = "s3cret-fragment"
		return u.String()
	}
	tests := map[string]struct {
		url     string
		wantErr error
	}{
		"not found":       {withSecrets(srv.URL + "/gone.tar.gz"), ErrDownload},
		"unreachable":     {withSecrets(closed.URL + "/a.tar.gz"), ErrDownload},
		"digest mismatch": {withSecrets(srv.URL + "/a.tar.gz"), ErrDigestMismatch},
		"unparsable":      {"http://alice:s3cret-pass@a b/?token=s3cret-token", ErrDownload},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			c, _ := newTestCache(t, Options{})
			_, _, err := c.Get(context.Background(), tt.url, sha256Of(nil))
			g.Expect(err).To(MatchError(tt.wantErr))
			g.Expect(err.Error()).NotTo(Or(ContainSubstring("s3cret"), ContainSubstring("alice")))
		})
	}
}
