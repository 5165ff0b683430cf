// Package registrytest runs go-containerregistry's in-memory registry
// behind a handler that behaves like the big public registries: tag lists
// cut into pages linked by Link headers (the inner registry honours n and
// last but links no next page), 429 answers with a Retry-After when told
// to, and basic auth when wanted. Tests of the registry client and of the
// reconcilers share it.
package registrytest

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

// Registry is a running test registry; it stops when the test ends.
type Registry struct {
	// Host is "127.0.0.1:<port>", as image names name the registry.
	Host string
	// PageSize, when set, caps every page of tags, whatever n the client
	// asked for.
	PageSize int
	// Throttled is how many of the next requests get 429, with
	// RetryAfter as their Retry-After ("" for none).
	Throttled  atomic.Int32
	RetryAfter string
	// User and Pass, when set, are wanted on every request.
	User, Pass string

	mu       sync.Mutex
	requests []string // "METHOD path?query", in order
}

// New starts a registry; configure, when set, sets its fields first.
func New(t testing.TB, configure func(*Registry)) *Registry {
	t.Helper()
	r := &Registry{}
	if configure != nil {
		configure(r)
	}
	inner := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.requests = append(r.requests, req.Method+" "+req.URL.RequestURI())
		user, pass := r.User, r.Pass
		r.mu.Unlock()
		if user != "" {
			if u, p, ok := req.BasicAuth(); !ok || u != user || p != pass {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
				return
			}
		}
		if r.Throttled.Add(-1) >= 0 {
			if r.RetryAfter != "" {
				w.Header().Set("Retry-After", r.RetryAfter)
			}
			http.Error(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}`, http.StatusTooManyRequests)
			return
		}
		if strings.HasSuffix(req.URL.Path, "/tags/list") && r.PageSize > 0 {
			r.servePage(w, req, inner)
			return
		}
		inner.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.Host = strings.TrimPrefix(srv.URL, "http://")
	return r
}

// servePage answers one page of at most PageSize tags, with a Link to the
// next one when there are more.
func (r *Registry) servePage(w http.ResponseWriter, req *http.Request, inner http.Handler) {
	q := req.URL.Query()
	n := r.PageSize
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

// RequestsMatching lists the requests ("METHOD /path?query") holding substr.
func (r *Registry) RequestsMatching(substr string) []string {
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

// Repo is the repository path on r.
func (r *Registry) Repo(t testing.TB, path string) name.Repository {
	t.Helper()
	repo, err := name.NewRepository(r.Host + "/" + path)
	if err != nil {
		t.Fatal(err)
	}
	return repo
}

// Push writes one random image and tags it with every tag given; it
// returns the image's digest.
func (r *Registry) Push(t testing.TB, path string, tags ...string) string {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	return r.PushImage(t, path, img, tags...)
}

// PushImage writes img under every tag given and returns its digest.
func (r *Registry) PushImage(t testing.TB, path string, img v1.Image, tags ...string) string {
	t.Helper()
	opts := []remote.Option{remote.WithAuth(authn.Anonymous)}
	if r.User != "" {
		opts = []remote.Option{remote.WithAuth(&authn.Basic{Username: r.User, Password: r.Pass})}
	}
	repo := r.Repo(t, path)
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

// PushOver pushes a random image to ref through rt (a TLS registry's
// client transport).
func PushOver(t testing.TB, rt http.RoundTripper, ref string) {
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

// SetPassword changes the password wanted from now on (Pass is read
// by the server while it runs).
func (r *Registry) SetPassword(pass string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Pass = pass
}

// Reset forgets the requests answered so far.
func (r *Registry) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = nil
}
