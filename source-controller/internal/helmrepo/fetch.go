package helmrepo

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// defaultTimeout is Flux's default spec.timeout.
const defaultTimeout = 60 * time.Second

// userAgent names Tide to repositories, as Helm names itself.
const userAgent = "tide-source-controller"

// sharedTransport serves every repository without TLS settings of its own,
// so their connections are reused from one reconciliation to the next.
var sharedTransport = newTransport(nil)

// FetchIndex downloads the repository's index.yaml and returns it as
// served: its digest is the HelmRepository's revision. An index over
// maxSize bytes is refused with ErrTooLarge without being read whole.
func FetchIndex(ctx context.Context, repoURL string, opts Options, maxSize int64) ([]byte, error) {
	index, err := FetchIndexIfChanged(ctx, repoURL, opts, maxSize, "")
	return index.Data, err
}

// Index is the answer to FetchIndexIfChanged.
type Index struct {
	// Data is the index as served; nil when NotModified.
	Data []byte
	// ETag is the server's tag of this version of the index, if it gave one.
	ETag string
	// NotModified is true when the server said the index still has the
	// ETag asked about (304 Not Modified): nothing was downloaded.
	NotModified bool
}

// FetchIndexIfChanged is FetchIndex that, given the ETag of the index last
// fetched, asks the server to answer 304 Not Modified instead of sending
// the same index again (If-None-Match, as HTTP caches do); servers that do
// not support it send the index.
func FetchIndexIfChanged(ctx context.Context, repoURL string, opts Options, maxSize int64, etag string) (Index, error) {
	indexURL, err := IndexURL(repoURL)
	if err != nil {
		return Index{}, err
	}
	if opts.RepoURL == "" {
		opts.RepoURL = repoURL
	}
	resp, err := get(ctx, indexURL, opts, maxSize, "--helm-index-max-size", etag)
	if err != nil {
		return Index{}, fmt.Errorf("fetch index: %w", err)
	}
	return Index{Data: resp.data, ETag: resp.etag, NotModified: resp.notModified}, nil
}

// DownloadChart downloads a chart package (a URL from ChartURL). The
// credentials of opts go with it only when chartURL is on the repository's
// scheme and host, or opts.PassCredentials is set. A package over maxSize
// bytes is refused with ErrTooLarge.
func DownloadChart(ctx context.Context, chartURL string, opts Options, maxSize int64) ([]byte, error) {
	u, err := url.Parse(chartURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: chart URL %q: it must be an http(s) URL", ErrInvalidURL, redact(chartURL))
	}
	resp, err := get(ctx, chartURL, opts, maxSize, "--helm-chart-max-size", "")
	if err != nil {
		return nil, fmt.Errorf("download chart: %w", err)
	}
	return resp.data, nil
}

// response is what get read.
type response struct {
	data        []byte
	etag        string
	notModified bool
}

// get is one GET of target, bounded by opts.Timeout and maxSize; flag
// names the size limit's flag for the error message. With etag, a 304
// answer is a response with notModified.
func get(ctx context.Context, target string, opts Options, maxSize int64, flag, etag string) (response, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, http.NoBody)
	if err != nil {
		return response{}, fmt.Errorf("%w %q: %s", ErrInvalidURL, redact(target), parseReason(err))
	}
	req.Header.Set("User-Agent", userAgent)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if sendCredentials(opts, req.URL) {
		switch {
		case opts.Username != "" && opts.Password != "":
			req.SetBasicAuth(opts.Username, opts.Password)
		case opts.BearerToken != "":
			req.Header.Set("Authorization", "Bearer "+opts.BearerToken)
		}
	}
	shown := req.URL.Redacted()
	client, done := httpClient(opts)
	defer done()
	resp, err := client.Do(req)
	if err != nil {
		return response{}, transportError(shown, err, timeout)
	}
	defer resp.Body.Close()
	if etag != "" && resp.StatusCode == http.StatusNotModified {
		return response{etag: etag, notModified: true}, nil
	}
	if resp.StatusCode != http.StatusOK {
		return response{}, &StatusError{URL: shown, Code: resp.StatusCode}
	}
	if maxSize > 0 && resp.ContentLength > maxSize {
		return response{}, tooLarge(shown, maxSize, flag)
	}
	limit := int64(-1)
	body := io.Reader(resp.Body)
	if maxSize > 0 {
		limit = maxSize
		body = io.LimitReader(resp.Body, maxSize+1)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return response{}, transportError(shown, err, timeout)
	}
	if limit >= 0 && int64(len(data)) > limit {
		return response{}, tooLarge(shown, maxSize, flag)
	}
	return response{data: data, etag: resp.Header.Get("ETag")}, nil
}

func tooLarge(shown string, maxSize int64, flag string) error {
	return fmt.Errorf("GET %s: %w of %d bytes: make it smaller, or raise %s", shown, ErrTooLarge, maxSize, flag)
}

// sendCredentials is Helm's rule: the repository's own scheme and host
// (with port), or anywhere with passCredentials.
func sendCredentials(opts Options, target *url.URL) bool {
	if opts.PassCredentials {
		return true
	}
	repo, err := url.Parse(opts.RepoURL)
	return err == nil && repo.Scheme == target.Scheme && repo.Host == target.Host
}

// httpClient returns a client for opts and the function that releases it.
// Without TLS settings the shared transport is used; with them a transport
// of their own, whose idle connections are closed when done.
func httpClient(opts Options) (*http.Client, func()) {
	if opts.TLS == nil {
		return &http.Client{Transport: sharedTransport}, func() {}
	}
	t := newTransport(opts.TLS)
	return &http.Client{Transport: t}, t.CloseIdleConnections
}

func newTransport(cfg *tls.Config) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if cfg != nil {
		t.TLSClientConfig = cfg.Clone()
	}
	// Gzip transparently decoded would make the index's digest depend on
	// the transfer: ask for the bytes as stored, as Helm does.
	t.DisableCompression = true
	return t
}

// transportError explains a failed request without repeating the URL the
// error may quote with credentials.
func transportError(shown string, err error, timeout time.Duration) error {
	var (
		unknownCA  x509.UnknownAuthorityError
		hostname   x509.HostnameError
		invalid    x509.CertificateInvalidError
		verify     *tls.CertificateVerificationError
		alert      tls.AlertError
		header     tls.RecordHeaderError
		netErr     net.Error
		urlErr     *url.Error
		underlying = err
	)
	if errors.As(err, &urlErr) {
		underlying = urlErr.Err
	}
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &verify) && errors.As(verify.Err, &unknownCA):
		return fmt.Errorf("GET %s: %w: the server's certificate is signed by an unknown authority: put its CA in the certSecretRef Secret as 'ca.crt'", shown, ErrTLS)
	case errors.As(err, &hostname):
		return fmt.Errorf("GET %s: %w: %s: fix the URL's host or the server's certificate", shown, ErrTLS, hostname.Error())
	case errors.As(err, &invalid), errors.As(err, &verify):
		return fmt.Errorf("GET %s: %w: the server's certificate is not valid: %s", shown, ErrTLS, underlying.Error())
	case errors.As(err, &alert) || strings.Contains(underlying.Error(), "remote error: tls:"):
		// crypto/tls reports an alert from the server as an unexported type.
		return fmt.Errorf("GET %s: %w: the server refused the handshake (%s): it may want a client certificate: put 'tls.crt' and 'tls.key' in the certSecretRef Secret",
			shown, ErrTLS, strings.TrimPrefix(underlying.Error(), "remote error: "))
	case errors.As(err, &header) || strings.Contains(underlying.Error(), "server gave HTTP response to HTTPS client"):
		return fmt.Errorf("GET %s: %w: the server does not speak TLS: use an http:// URL", shown, ErrTLS)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("GET %s: no answer within %s: check that the server is up, or raise spec.timeout", shown, timeout)
	}
	return fmt.Errorf("GET %s: %s: check the URL and that the server is reachable", shown, underlying.Error())
}
