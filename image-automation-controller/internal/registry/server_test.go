package registry

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// testRegistry is go-containerregistry's in-memory registry behind a
// handler that behaves like the big public registries: it cuts tag lists
// into pages linked by Link headers (as Docker Hub and GHCR do; the inner
// registry honours n and last but sends no Link), answers 429 with a
// Retry-After when told to, and may want basic auth.
type testRegistry struct {
	host string
	// pageSize, when set, caps every page of tags, whatever n the client
	// asked for.
	pageSize int
	// throttled is how many of the next requests get 429, with
	// retryAfter as their Retry-After ("" for none).
	throttled  atomic.Int32
	retryAfter string
	user, pass string

	mu       sync.Mutex
	requests []string // "METHOD path?query", in order
}

func newTestRegistry(t testing.TB, configure func(*testRegistry)) *testRegistry {
	t.Helper()
	r := &testRegistry{}
	if configure != nil {
		configure(r)
	}
	inner := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.requests = append(r.requests, req.Method+" "+req.URL.RequestURI())
		r.mu.Unlock()
		if r.user != "" {
			if u, p, ok := req.BasicAuth(); !ok || u != r.user || p != r.pass {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
				return
			}
		}
		if r.throttled.Add(-1) >= 0 {
			if r.retryAfter != "" {
				w.Header().Set("Retry-After", r.retryAfter)
			}
			http.Error(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}`, http.StatusTooManyRequests)
			return
		}
		if strings.HasSuffix(req.URL.Path, "/tags/list") && r.pageSize > 0 {
			r.servePage(w, req, inner)
			return
		}
		inner.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.host = strings.TrimPrefix(srv.URL, "http://")
	return r
}

// servePage answers one page of at most pageSize tags, with a Link to the
// next one when there are more.
func (r *testRegistry) servePage(w http.ResponseWriter, req *http.Request, inner http.Handler) {
	q := req.URL.Query()
	n := r.pageSize
	if asked, err := strconv.Atoi(q.Get("n")); err == nil && asked < n {
		n = asked
	}
	q.Set("n", strconv.Itoa(n+1)) // one more, to know whether a next page exists
	inner2 := req.Clone(req.Context())
	inner2.URL.RawQuery = q.Encode()
	rec := httptest.NewRecorder()
	inner.ServeHTTP(rec, inner2)
	if rec.Code != http.StatusOK {
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return
	}
	var page struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if len(page.Tags) > n {
		page.Tags = page.Tags[:n]
		next := url.Values{"n": {strconv.Itoa(n)}, "last": {page.Tags[n-1]}}
		w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, req.URL.Path, next.Encode()))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(page)
}

func (r *testRegistry) requestsMatching(substr string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, req := range r.requests {
		if strings.Contains(req, substr) {
			out = append(out, req)
		}
	}
	return out
}

func (r *testRegistry) repo(t testing.TB, path string) name.Repository {
	t.Helper()
	repo, err := name.NewRepository(r.host + "/" + path)
	if err != nil {
		t.Fatal(err)
	}
	return repo
}

// push writes one random image and tags it with every tag given; it
// returns the image's digest.
func (r *testRegistry) push(t testing.TB, path string, tags ...string) string {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	return r.pushImage(t, path, img, tags...)
}

func (r *testRegistry) pushImage(t testing.TB, path string, img v1.Image, tags ...string) string {
	t.Helper()
	opts := []remote.Option{remote.WithAuth(authn.Anonymous)}
	if r.user != "" {
		opts = []remote.Option{remote.WithAuth(&authn.Basic{Username: r.user, Password: r.pass})}
	}
	repo := r.repo(t, path)
	if err := remote.Write(repo.Tag(tags[0]), img, opts...); err != nil {
		t.Fatalf("push %s: %v", tags[0], err)
	}
	for _, tag := range tags[1:] {
		if err := remote.Tag(repo.Tag(tag), img, opts...); err != nil {
			t.Fatalf("tag %s: %v", tag, err)
		}
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// pushOver pushes a random image to ref through rt (a TLS registry's
// client transport).
func pushOver(t testing.TB, rt http.RoundTripper, ref string) {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img, remote.WithTransport(rt)); err != nil {
		t.Fatal(err)
	}
}

// reset forgets the requests answered so far.
func (r *testRegistry) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = nil
}
