package chartfetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strings"

	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
)

// DefaultMaxSize bounds a chart artifact as downloaded (compressed), as the
// source-controller's --helm-chart-max-size bounds what it packages. Helm
// itself bounds the unpacked chart (100 MiB).
const DefaultMaxSize = 10 << 20

// Kinds of failure, for errors.Is.
var (
	// ErrNotFound: the source-controller does not serve the artifact (yet,
	// or any more): wait for the source to publish a new one.
	ErrNotFound = errors.New("artifact not found")
	// ErrDigest: the download does not match the digest of the source's
	// status (or the digest is malformed).
	ErrDigest = errors.New("artifact digest mismatch")
	// ErrTooLarge: the artifact is over the size limit.
	ErrTooLarge = errors.New("artifact too large")
	// ErrInvalidChart: the artifact is not a chart Helm can load.
	ErrInvalidChart = errors.New("invalid chart")
)

// Fetcher downloads and loads chart artifacts.
type Fetcher struct {
	// Client makes the requests; http.DefaultClient when nil.
	Client *http.Client
	// MaxSize bounds the download; DefaultMaxSize when 0.
	MaxSize int64
}

// Load downloads the artifact at rawURL, checks it against digest
// ("<algorithm>:<hex>", sha256, sha384 or sha512) and loads the chart.
func (f *Fetcher) Load(ctx context.Context, rawURL, digest string) (*chart.Chart, error) {
	newHash, want, err := parseDigest(digest)
	if err != nil {
		return nil, err
	}
	shown := redact(rawURL)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("invalid artifact URL %s: %w", shown, err)
	}
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("download chart from %s: %w", shown, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("%w at %s", ErrNotFound, shown)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("download chart from %s: HTTP %s", shown, resp.Status)
	}
	limit := f.MaxSize
	if limit <= 0 {
		limit = DefaultMaxSize
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: %s is %d bytes, over the limit of %d", ErrTooLarge, shown, resp.ContentLength, limit)
	}
	var buf bytes.Buffer
	h := newHash()
	n, err := io.Copy(io.MultiWriter(&buf, h), io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("download chart from %s: %w", shown, err)
	}
	if n > limit {
		return nil, fmt.Errorf("%w: %s is over the limit of %d bytes", ErrTooLarge, shown, limit)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return nil, fmt.Errorf("%w: %s should have digest %s, the download has %s", ErrDigest, shown, digest,
			digest[:strings.IndexByte(digest, ':')+1]+got)
	}
	ch, err := loader.LoadArchive(&buf)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidChart, shown, err)
	}
	if err := ch.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidChart, shown, err)
	}
	return ch, nil
}

func parseDigest(digest string) (func() hash.Hash, string, error) {
	algo, hexPart, _ := strings.Cut(digest, ":")
	var newHash func() hash.Hash
	var size int
	switch algo {
	case "sha256":
		newHash, size = sha256.New, sha256.Size
	case "sha384":
		newHash, size = sha512.New384, sha512.Size384
	case "sha512":
		newHash, size = sha512.New, sha512.Size
	default:
		return nil, "", fmt.Errorf("%w: the source's digest %q is not <sha256|sha384|sha512>:<hex>", ErrDigest, digest)
	}
	hexPart = strings.ToLower(hexPart)
	if _, err := hex.DecodeString(hexPart); err != nil || len(hexPart) != 2*size {
		return nil, "", fmt.Errorf("%w: the source's digest %q is malformed", ErrDigest, digest)
	}
	return newHash, hexPart, nil
}

// redact drops credentials and query from a URL shown to users.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<invalid URL>"
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}
