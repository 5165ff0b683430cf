// Package ociregistry runs an OCI registry in the test process:
// go-containerregistry's pkg/registry behind an httptest server, with
// optional basic auth and TLS, and a log of the requests it answered so tests
// can count manifest and blob requests. It is its own package so that tests
// which need no registry do not link one.
package ociregistry

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
)

// Options configure a Registry. The zero value is a plain-HTTP registry that
// lets anyone in.
type Options struct {
	// Username and Password, when set, are required on every request
	// (basic auth); others get 401 with a Basic challenge.
	Username, Password string
	// TLS serves HTTPS with a certificate for 127.0.0.1 that only
	// Registry.TLSConfig (or CAPool) trusts.
	TLS bool
}

// Kind is what a request was about.
type Kind string

const (
	KindPing     Kind = "ping"     // GET /v2/
	KindManifest Kind = "manifest" // /v2/<repo>/manifests/<ref>
	KindBlob     Kind = "blob"     // /v2/<repo>/blobs/<digest>
	KindUpload   Kind = "upload"   // /v2/<repo>/blobs/uploads/...
	KindTags     Kind = "tags"     // /v2/<repo>/tags/list
	KindOther    Kind = "other"
)

// Request is one request the registry answered.
type Request struct {
	Method string
	Path   string
	Kind   Kind
	// Status is the HTTP status of the answer.
	Status int
}

// Registry is a running in-process registry. It stops when the test ends.
type Registry struct {
	// Host is "127.0.0.1:<port>", as references name the registry; URL is
	// its http:// or https:// address.
	Host, URL string

	server *httptest.Server
	opts   Options

	mu       sync.Mutex
	requests []Request
}

// New starts a registry for the duration of t.
func New(t testing.TB, opts Options) *Registry {
	t.Helper()
	r := &Registry{opts: opts}
	inner := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	handler := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() { r.record(req, rec.status) }()
		if !r.authorized(req) {
			rec.Header().Set("WWW-Authenticate", `Basic realm="tide-test-registry"`)
			http.Error(rec, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
			return
		}
		inner.ServeHTTP(rec, req)
	})
	if opts.TLS {
		r.server = httptest.NewTLSServer(handler)
	} else {
		r.server = httptest.NewServer(handler)
	}
	t.Cleanup(r.server.Close)
	r.URL = r.server.URL
	r.Host = strings.TrimPrefix(strings.TrimPrefix(r.server.URL, "http://"), "https://")
	return r
}

// Ref returns the artifact URL oci://<host>/<repoAndTag>.
func (r *Registry) Ref(repoAndTag string) string {
	return "oci://" + r.Host + "/" + strings.TrimPrefix(repoAndTag, "/")
}

// TLSConfig trusts the registry's certificate (TLS registries only).
func (r *Registry) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: r.CAPool(), MinVersion: tls.VersionTLS12}
}

// CAPool holds the registry's certificate (TLS registries only).
func (r *Registry) CAPool() *x509.CertPool {
	pool := x509.NewCertPool()
	if c := r.server.Certificate(); c != nil {
		pool.AddCert(c)
	}
	return pool
}

// CAPEM is the registry's certificate in PEM, for a certSecretRef's ca.crt
// (TLS registries only).
func (r *Registry) CAPEM() []byte {
	c := r.server.Certificate()
	if c == nil {
		return nil
	}
	return pemEncode(c.Raw)
}

// Requests returns a copy of the requests answered so far.
func (r *Registry) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.requests...)
}

// Count returns how many requests of kind with the given method ("" for
// any) were answered.
func (r *Registry) Count(method string, kind Kind) int {
	n := 0
	for _, req := range r.Requests() {
		if req.Kind == kind && (method == "" || req.Method == method) {
			n++
		}
	}
	return n
}

// Reset forgets the requests answered so far.
func (r *Registry) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = nil
}

func (r *Registry) authorized(req *http.Request) bool {
	if r.opts.Username == "" && r.opts.Password == "" {
		return true
	}
	user, pass, ok := req.BasicAuth()
	return ok && user == r.opts.Username && pass == r.opts.Password
}

func (r *Registry) record(req *http.Request, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, Request{Method: req.Method, Path: req.URL.Path, Kind: kindOf(req.URL.Path), Status: status})
}

func kindOf(p string) Kind {
	switch {
	case p == "/v2/" || p == "/v2":
		return KindPing
	case strings.Contains(p, "/blobs/uploads"):
		return KindUpload
	case strings.Contains(p, "/manifests/"):
		return KindManifest
	case strings.Contains(p, "/blobs/"):
		return KindBlob
	case strings.HasSuffix(p, "/tags/list"):
		return KindTags
	default:
		return KindOther
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
