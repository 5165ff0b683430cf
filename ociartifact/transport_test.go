package ociartifact_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tidegitops/tide/ociartifact"
	"github.com/tidegitops/tide/testkit/ociregistry"
)

func TestTLSRegistry(t *testing.T) {
	ctx := context.Background()
	reg := ociregistry.New(t, ociregistry.Options{TLS: true})
	url := reg.Ref("fleet/app:v1")
	src := writeTree(t, manifests)

	trusted := newClient(t, ociartifact.Options{TLSConfig: reg.TLSConfig()})
	if _, err := trusted.Push(ctx, url, src, ociartifact.Metadata{}, nil); err != nil {
		t.Fatalf("Push with the registry's CA: %v", err)
	}
	if n := reg.Count(http.MethodPut, ociregistry.KindManifest); n != 1 {
		t.Errorf("%d manifest PUTs reached the TLS registry, want 1", n)
	}
	untrusted := newClient(t, ociartifact.Options{})
	_, err := untrusted.Resolve(ctx, url)
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("Resolve without the CA: %v, want a certificate error", err)
	}
}

// Every request goes through the proxy when one is set.
func TestProxy(t *testing.T) {
	ctx := context.Background()
	reg := ociregistry.New(t, ociregistry.Options{})
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodConnect {
			http.Error(w, "no tunnels here", http.StatusMethodNotAllowed)
			return
		}
		proxied.Add(1)
		out := r.Clone(r.Context())
		out.RequestURI = ""
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(proxy.Close)
	proxyURL, _ := url.Parse(proxy.URL)

	c := newClient(t, ociartifact.Options{ProxyURL: proxyURL})
	if _, err := c.Push(ctx, reg.Ref("fleet/app:v1"), writeTree(t, manifests), ociartifact.Metadata{}, nil); err != nil {
		t.Fatalf("Push through the proxy: %v", err)
	}
	if int(proxied.Load()) != len(reg.Requests()) || proxied.Load() == 0 {
		t.Errorf("the proxy forwarded %d requests, the registry answered %d", proxied.Load(), len(reg.Requests()))
	}
}

// A layer whose bytes are not those of its digest is refused, even when
// they are a valid tarball.
func TestExtractLayerChecksTheDigest(t *testing.T) {
	ctx := context.Background()
	reg := ociregistry.New(t, ociregistry.Options{})
	c := newClient(t, ociartifact.Options{})
	url := reg.Ref("fleet/app:v1")
	if _, err := c.Push(ctx, url, writeTree(t, manifests), ociartifact.Metadata{}, nil); err != nil {
		t.Fatal(err)
	}
	var other bytes.Buffer
	if err := ociartifact.Build(&other, writeTree(t, map[string]string{"evil.yaml": "kind: ClusterRoleBinding"}), nil); err != nil {
		t.Fatal(err)
	}
	swapping := newClient(t, ociartifact.Options{Transport: blobSwapper{next: http.DefaultTransport, body: other.Bytes()}})
	a, err := swapping.Get(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	layer, err := a.Layer(ociartifact.ContentMediaType)
	if err != nil {
		t.Fatal(err)
	}
	err = swapping.ExtractLayer(ctx, a, layer, t.TempDir(), 0)
	if !errors.Is(err, ociartifact.ErrInvalidArchive) || !strings.Contains(err.Error(), "does not match its digest") {
		t.Fatalf("ExtractLayer of swapped bytes: %v, want a digest mismatch", err)
	}
}

// blobSwapper answers every blob GET with body instead of the registry's
// bytes.
type blobSwapper struct {
	next http.RoundTripper
	body []byte
}

func (b blobSwapper) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.next.RoundTrip(req)
	if err != nil || req.Method != http.MethodGet || !strings.Contains(req.URL.Path, "/blobs/sha256:") {
		return resp, err
	}
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b.body))
	resp.ContentLength = int64(len(b.body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// A registry that refuses HEAD on manifests is asked with GET instead; one
// that cannot be reached is not asked twice.
func TestResolveFallsBackToGet(t *testing.T) {
	ctx := context.Background()
	reg := ociregistry.New(t, ociregistry.Options{})
	c := newClient(t, ociartifact.Options{})
	url := reg.Ref("fleet/app:v1")
	digest, err := c.Push(ctx, url, writeTree(t, manifests), ociartifact.Metadata{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	noHead := newClient(t, ociartifact.Options{Transport: headRefuser{next: http.DefaultTransport}})
	reg.Reset()
	got, err := noHead.Resolve(ctx, url)
	if err != nil || got != digest {
		t.Fatalf("Resolve without HEAD = %s, %v; want %s", got, err, digest)
	}
	if n := reg.Count(http.MethodGet, ociregistry.KindManifest); n != 1 {
		t.Errorf("%d manifest GETs, want 1", n)
	}

	var seen atomic.Int32
	unreachable := newClient(t, ociartifact.Options{Transport: countingTransport{next: http.DefaultTransport, n: &seen}})
	if _, err := unreachable.Resolve(ctx, "oci://127.0.0.1:1/fleet/app:v1"); err == nil {
		t.Fatal("Resolve of an unreachable registry succeeded")
	}
	if n := seen.Load(); n != 2 { // the ping, over HTTPS then HTTP
		t.Errorf("Resolve of an unreachable registry made %d attempts, want 2", n)
	}
}

// headRefuser answers 405 to every manifest HEAD, as some registries do.
type headRefuser struct{ next http.RoundTripper }

func (h headRefuser) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodHead && strings.Contains(req.URL.Path, "/manifests/") {
		return &http.Response{
			StatusCode: http.StatusMethodNotAllowed, Status: "405 Method Not Allowed",
			Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: req,
		}, nil
	}
	return h.next.RoundTrip(req)
}

// A download cut short is a failure to retry, not a broken layer.
func TestExtractLayerCutShortIsNotInvalid(t *testing.T) {
	ctx := context.Background()
	reg := ociregistry.New(t, ociregistry.Options{})
	c := newClient(t, ociartifact.Options{})
	url := reg.Ref("fleet/app:v1")
	big := map[string]string{"big.yaml": strings.Repeat("0123456789abcdef", 1<<14)}
	if _, err := c.Push(ctx, url, writeTree(t, big), ociartifact.Metadata{}, nil); err != nil {
		t.Fatal(err)
	}
	cutting := newClient(t, ociartifact.Options{Transport: blobCutter{next: http.DefaultTransport}})
	a, err := cutting.Get(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	layer, _ := a.Layer("")
	err = cutting.ExtractLayer(ctx, a, layer, t.TempDir(), 0)
	if err == nil || errors.Is(err, ociartifact.ErrInvalidArchive) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("ExtractLayer of a cut download: %v, want the connection's error, not ErrInvalidArchive", err)
	}
}

// blobCutter ends every blob download half-way with io.ErrUnexpectedEOF, as
// a dropped connection does.
type blobCutter struct{ next http.RoundTripper }

func (b blobCutter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.next.RoundTrip(req)
	if err != nil || req.Method != http.MethodGet || !strings.Contains(req.URL.Path, "/blobs/sha256:") {
		return resp, err
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data[:len(data)/2]), errReader{io.ErrUnexpectedEOF}))
	return resp, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
