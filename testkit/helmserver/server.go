package helmserver

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tidegitops/tide/testkit"
)

// Server is a running chart repository.
type Server struct {
	// URL is the repository's URL, without a trailing slash or index.yaml.
	URL string
	// PKI holds the certificates of a TLS server (WithTLS); empty otherwise.
	PKI testkit.PKI

	t         testing.TB
	user      string
	pass      string
	chartBase string

	mu       sync.Mutex
	charts   []Chart
	packages map[string][]byte // file name → .tgz
	index    []byte
	status   int

	requests    sync.Map // path → *atomic.Int64
	authorized  atomic.Int64
	notModified atomic.Int64
	noETag      atomic.Bool
}

type config struct {
	charts    []Chart
	user      string
	pass      string
	tls       bool
	mtls      bool
	chartBase string
}

// Option configures Start.
type Option func(*config)

// WithCharts puts these chart versions in the repository.
func WithCharts(charts ...Chart) Option {
	return func(c *config) { c.charts = append(c.charts, charts...) }
}

// WithBasicAuth makes every request need these credentials (401 without
// them, 403 with wrong ones).
func WithBasicAuth(username, password string) Option {
	return func(c *config) { c.user, c.pass = username, password }
}

// WithTLS serves HTTPS with a fresh PKI (Server.PKI), requiring a client
// certificate when mtls is set.
func WithTLS(mtls bool) Option {
	return func(c *config) { c.tls, c.mtls = true, mtls }
}

// WithChartBaseURL writes the index's chart URLs as absolute URLs under
// base (e.g. another Server's URL), as repositories that keep their
// packages on another host do. The packages are still served here too.
func WithChartBaseURL(base string) Option {
	return func(c *config) { c.chartBase = base }
}

// Start runs a chart repository until the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{t: t, user: cfg.user, pass: cfg.pass, chartBase: cfg.chartBase, packages: map[string][]byte{}}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	if cfg.tls {
		s.PKI = testkit.NewPKI(t)
		cert, err := tls.X509KeyPair(s.PKI.ServerCert, s.PKI.ServerKey)
		if err != nil {
			t.Fatal(err)
		}
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		if cfg.mtls {
			srv.TLS.ClientAuth, srv.TLS.ClientCAs = tls.RequireAndVerifyClientCert, s.PKI.Pool
		}
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	s.AddCharts(cfg.charts...)
	return s
}

// AddCharts packages more chart versions and rebuilds the index, so its
// revision changes.
func (s *Server) AddCharts(charts ...Chart) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range charts {
		s.packages[c.fileName()] = Package(s.t, c)
		s.charts = append(s.charts, c)
	}
	index, err := buildIndex(s.charts, s.packages, s.chartBase)
	if err != nil {
		s.t.Fatal(err)
	}
	s.index = index
}

// SetIndex serves data as index.yaml from now on (a broken or a large
// index); AddCharts builds a proper one again.
func (s *Server) SetIndex(data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.index = data
}

// Index is the index.yaml served now.
func (s *Server) Index() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.index
}

// SetStatus answers every request with this HTTP status from now on; 0
// serves normally again.
func (s *Server) SetStatus(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = code
}

// ChartURL is the URL of a chart version's package on this server.
func (s *Server) ChartURL(c Chart) string { return s.URL + "/" + c.fileName() }

// PackageOf is the .tgz served for a chart version, nil when there is none.
func (s *Server) PackageOf(c Chart) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.packages[c.fileName()]
}

// Credentials are the basic auth credentials the server wants.
func (s *Server) Credentials() (username, password string) { return s.user, s.pass }

// Requests is how many requests asked for path (e.g. "/index.yaml"),
// whatever the answer.
func (s *Server) Requests(path string) int64 {
	if n, ok := s.requests.Load(path); ok {
		return n.(*atomic.Int64).Load()
	}
	return 0
}

// NotModified is how many index requests were answered 304 Not Modified
// (the client had the index's ETag).
func (s *Server) NotModified() int64 { return s.notModified.Load() }

// DisableETag serves the index without an ETag from now on, as servers
// that do not support conditional requests.
func (s *Server) DisableETag() { s.noETag.Store(true) }

// AuthorizedRequests is how many requests carried an Authorization header:
// whether credentials were sent here at all.
func (s *Server) AuthorizedRequests() int64 { return s.authorized.Load() }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	n, _ := s.requests.LoadOrStore(r.URL.Path, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
	if r.Header.Get("Authorization") != "" {
		s.authorized.Add(1)
	}
	s.mu.Lock()
	status, index := s.status, s.index
	pkg, found := s.packages[strings.TrimPrefix(r.URL.Path, "/")]
	s.mu.Unlock()
	if status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	if s.user != "" {
		user, pass, ok := r.BasicAuth()
		if !ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="charts"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		if user != s.user || pass != s.pass {
			http.Error(w, "wrong credentials", http.StatusForbidden)
			return
		}
	}
	switch {
	case r.URL.Path == "/index.yaml":
		w.Header().Set("Content-Type", "application/x-yaml")
		if !s.noETag.Load() {
			etag := `"` + digestOf(index) + `"`
			w.Header().Set("ETag", etag)
			if r.Header.Get("If-None-Match") == etag {
				s.notModified.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		_, _ = w.Write(index)
	case found:
		w.Header().Set("Content-Type", "application/gzip")
		_, _ = w.Write(pkg)
	default:
		http.NotFound(w, r)
	}
}
