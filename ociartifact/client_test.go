package ociartifact_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/tidegitops/tide/ociartifact"
	"github.com/tidegitops/tide/testkit/ociregistry"
)

func newClient(t *testing.T, opts ociartifact.Options) *ociartifact.Client {
	t.Helper()
	c, err := ociartifact.NewClient(opts)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

var manifests = map[string]string{
	"apps/deploy.yaml":   "kind: Deployment\n",
	"apps/service.yaml":  "kind: Service\n",
	"kustomization.yaml": "resources: [apps/deploy.yaml, apps/service.yaml]\n",
	"logo.png":           "not a manifest",
}

func TestPushPullRoundTrip(t *testing.T) {
	ctx := context.Background()
	reg := ociregistry.New(t, ociregistry.Options{})
	c := newClient(t, ociartifact.Options{})
	src := writeTree(t, manifests)
	url := reg.Ref("fleet/app:v1")

	meta := ociartifact.Metadata{
		Source:      "https://example.com/fleet.git",
		Revision:    "main@sha1:0123456789abcdef0123456789abcdef01234567",
		Annotations: map[string]string{"org.opencontainers.image.description": "demo"},
	}
	digest, err := c.Push(ctx, url, src, meta, ociartifact.DefaultIgnorePaths)
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	if !strings.HasPrefix(digest, "sha256:") {
		t.Fatalf("Push returned %q, want a sha256 digest", digest)
	}

	dest := filepath.Join(t.TempDir(), "out")
	got, err := c.Pull(ctx, url, dest, 0)
	if err != nil {
		t.Fatalf("Pull: %v", err)
	}
	if got.Digest != digest || got.Source != meta.Source || got.Revision != meta.Revision {
		t.Errorf("Pull metadata = %+v, want digest %s, source %s, revision %s", got, digest, meta.Source, meta.Revision)
	}
	if got.Annotations["org.opencontainers.image.description"] != "demo" {
		t.Errorf("custom annotation lost: %v", got.Annotations)
	}
	if got.Created == "" {
		t.Error("Push did not set the created annotation")
	}
	for p, content := range manifests {
		data, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(p)))
		switch {
		case p == "logo.png":
			if err == nil {
				t.Errorf("%s was pushed although the default ignore paths leave it out", p)
			}
		case err != nil || string(data) != content:
			t.Errorf("%s: got %q (%v), want %q", p, data, err, content)
		}
	}
}

// What Flux's OCIRepository reads: the manifest's media types and
// annotations.
func TestPushWritesFluxMediaTypesAndAnnotations(t *testing.T) {
	ctx := context.Background()
	reg := ociregistry.New(t, ociregistry.Options{})
	c := newClient(t, ociartifact.Options{})
	url := reg.Ref("fleet/app:v1")
	meta := ociartifact.Metadata{Source: "https://example.com/fleet.git", Revision: "v1@sha1:abc", Created: "2026-12-05T09:00:00Z"}
	digest, err := c.Push(ctx, url, writeTree(t, manifests), meta, nil)
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	a, err := c.Get(ctx, url)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	m := a.Manifest
	if m.MediaType != types.OCIManifestSchema1 {
		t.Errorf("manifest media type %q, want %q", m.MediaType, types.OCIManifestSchema1)
	}
	if m.Config.MediaType != ociartifact.ConfigMediaType {
		t.Errorf("config media type %q, want %q", m.Config.MediaType, ociartifact.ConfigMediaType)
	}
	if len(m.Layers) != 1 || m.Layers[0].MediaType != ociartifact.ContentMediaType {
		t.Errorf("layers %+v, want one of %q", m.Layers, ociartifact.ContentMediaType)
	}
	want := map[string]string{
		"org.opencontainers.image.source":   meta.Source,
		"org.opencontainers.image.revision": meta.Revision,
		"org.opencontainers.image.created":  meta.Created,
	}
	for k, v := range want {
		if m.Annotations[k] != v {
			t.Errorf("annotation %s = %q, want %q", k, m.Annotations[k], v)
		}
	}
	if a.Digest != digest {
		t.Errorf("Get digest %s, Push digest %s", a.Digest, digest)
	}
}

// Equal directories and metadata push to an equal digest, even when the
// files were written at other times, in another order, with other owners.
func TestPushIsDeterministic(t *testing.T) {
	ctx := context.Background()
	reg := ociregistry.New(t, ociregistry.Options{})
	c := newClient(t, ociartifact.Options{})
	meta := ociartifact.Metadata{Source: "s", Revision: "r", Created: ociartifact.ReproducibleCreated}

	first := writeTree(t, manifests)
	second := writeTree(t, map[string]string{"kustomization.yaml": manifests["kustomization.yaml"]})
	for _, p := range []string{"apps/service.yaml", "apps/deploy.yaml", "logo.png"} {
		full := filepath.Join(second, filepath.FromSlash(p))
		_ = os.MkdirAll(filepath.Dir(full), 0o700) // another umask
		if err := os.WriteFile(full, []byte(manifests[p]), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	d1, err := c.Push(ctx, reg.Ref("a/one:v1"), first, meta, nil)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := c.Push(ctx, reg.Ref("b/two:v1"), second, meta, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d1 != d2 {
		t.Errorf("equal content pushed as %s and %s", d1, d2)
	}

	if err := os.WriteFile(filepath.Join(second, "apps", "deploy.yaml"), []byte("kind: StatefulSet\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d3, err := c.Push(ctx, reg.Ref("b/two:v2"), second, meta, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d3 == d1 {
		t.Error("different content pushed to the same digest")
	}
}

func TestBasicAuth(t *testing.T) {
	ctx := context.Background()
	reg := ociregistry.New(t, ociregistry.Options{Username: "flux", Password: "s3cret"})
	src := writeTree(t, manifests)
	url := reg.Ref("private/app:v1")
	meta := ociartifact.Metadata{Source: "s", Revision: "r"}

	tests := []struct {
		name string
		opts ociartifact.Options
		want error
	}{
		{name: "anonymous", opts: ociartifact.Options{}, want: ociartifact.ErrUnauthorized},
		{name: "wrong password", opts: ociartifact.Options{Username: "flux", Password: "wrong"}, want: ociartifact.ErrUnauthorized},
		{name: "username and password", opts: ociartifact.Options{Username: "flux", Password: "s3cret"}},
		{name: "docker config JSON", opts: ociartifact.Options{DockerConfigJSON: []byte(
			`{"auths":{"http://` + reg.Host + `/v2/":{"username":"flux","password":"s3cret"}}}`)}},
		{name: "docker config JSON for another host", opts: ociartifact.Options{DockerConfigJSON: []byte(
			`{"auths":{"ghcr.io":{"username":"flux","password":"s3cret"}}}`)}, want: ociartifact.ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, tt.opts)
			_, err := c.Push(ctx, url, src, meta, nil)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Push error = %v, want %v", err, tt.want)
			}
			if tt.want != nil {
				if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "wrong") {
					t.Errorf("the error shows the password: %v", err)
				}
				return
			}
			if _, err := c.Pull(ctx, url, t.TempDir(), 0); err != nil {
				t.Fatalf("Pull: %v", err)
			}
		})
	}
}

func TestBadDockerConfigIsRefusedWithoutShowingIt(t *testing.T) {
	_, err := ociartifact.NewClient(ociartifact.Options{DockerConfigJSON: []byte(`{"auths": {"h": {"auth": "s3cret-not-base64!"}}}`)})
	if !errors.Is(err, ociartifact.ErrInvalidCredentials) {
		t.Fatalf("NewClient error = %v, want ErrInvalidCredentials", err)
	}
	_, err = ociartifact.NewClient(ociartifact.Options{DockerConfigJSON: []byte(`{"auths": {"h": {"password": "s3cret"`)})
	if !errors.Is(err, ociartifact.ErrInvalidCredentials) || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("NewClient error = %v, want ErrInvalidCredentials without the secret", err)
	}
}

// Resolve learns the digest with one manifest HEAD and downloads no blob;
// the caller's transport sees every request.
func TestResolveMakesOneManifestRequest(t *testing.T) {
	ctx := context.Background()
	reg := ociregistry.New(t, ociregistry.Options{})
	var seen atomic.Int32
	c := newClient(t, ociartifact.Options{Transport: countingTransport{next: http.DefaultTransport, n: &seen}})
	url := reg.Ref("fleet/app:v1")
	digest, err := c.Push(ctx, url, writeTree(t, manifests), ociartifact.Metadata{Source: "s", Revision: "r"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg.Reset()
	seen.Store(0)

	got, err := c.Resolve(ctx, url)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	if got != digest {
		t.Errorf("Resolve = %s, want %s", got, digest)
	}
	if n := reg.Count("", ociregistry.KindManifest); n != 1 {
		t.Errorf("Resolve made %d manifest requests, want 1: %+v", n, reg.Requests())
	}
	if n := reg.Count(http.MethodHead, ociregistry.KindManifest); n != 1 {
		t.Errorf("Resolve made %d manifest HEAD requests, want 1", n)
	}
	if n := reg.Count("", ociregistry.KindBlob); n != 0 {
		t.Errorf("Resolve made %d blob requests, want none", n)
	}
	// The transport also sees the HTTPS attempt made before plain HTTP on
	// loopback, which never reaches the registry.
	if int(seen.Load()) < len(reg.Requests()) {
		t.Errorf("the transport saw %d requests, the registry answered %d", seen.Load(), len(reg.Requests()))
	}

	// A second Resolve on the same client reuses the handshake: one request.
	reg.Reset()
	if _, err := c.Resolve(ctx, url); err != nil {
		t.Fatal(err)
	}
	if n := len(reg.Requests()); n != 1 {
		t.Errorf("a second Resolve made %d requests, want 1: %+v", n, reg.Requests())
	}
}

func TestNotFound(t *testing.T) {
	ctx := context.Background()
	reg := ociregistry.New(t, ociregistry.Options{})
	c := newClient(t, ociartifact.Options{})
	if _, err := c.Push(ctx, reg.Ref("fleet/app:v1"), writeTree(t, manifests), ociartifact.Metadata{}, nil); err != nil {
		t.Fatal(err)
	}
	for _, url := range []string{
		reg.Ref("fleet/app:v2"),
		reg.Ref("fleet/app@sha256:" + strings.Repeat("0", 64)),
		reg.Ref("fleet/other:v1"),
	} {
		if _, err := c.Resolve(ctx, url); !errors.Is(err, ociartifact.ErrNotFound) {
			t.Errorf("Resolve(%s) error = %v, want ErrNotFound", url, err)
		}
		if _, err := c.Pull(ctx, url, t.TempDir(), 0); !errors.Is(err, ociartifact.ErrNotFound) {
			t.Errorf("Pull(%s) error = %v, want ErrNotFound", url, err)
		}
	}
}

func TestLayerSelectionAndSizeLimit(t *testing.T) {
	ctx := context.Background()
	reg := ociregistry.New(t, ociregistry.Options{})
	c := newClient(t, ociartifact.Options{})
	url := reg.Ref("fleet/app:v1")
	if _, err := c.Push(ctx, url, writeTree(t, manifests), ociartifact.Metadata{}, nil); err != nil {
		t.Fatal(err)
	}
	a, err := c.Get(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Layer("application/vnd.acme.other"); !errors.Is(err, ociartifact.ErrLayerNotFound) {
		t.Errorf("Layer(other) error = %v, want ErrLayerNotFound", err)
	}
	layer, err := a.Layer(ociartifact.ContentMediaType)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.OpenLayer(ctx, a, layer, layer.Size-1); !errors.Is(err, ociartifact.ErrTooLarge) {
		t.Errorf("OpenLayer under the size error = %v, want ErrTooLarge", err)
	}
	reg.Reset()
	rc, err := c.OpenLayer(ctx, a, layer, layer.Size)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if err := ociartifact.Extract(rc, t.TempDir(), 0); err != nil {
		t.Fatalf("Extract: %v", err)
	}
	if n := reg.Count(http.MethodGet, ociregistry.KindBlob); n != 1 {
		t.Errorf("OpenLayer made %d blob GETs, want 1", n)
	}
}

func TestListArtifacts(t *testing.T) {
	ctx := context.Background()
	reg := ociregistry.New(t, ociregistry.Options{})
	c := newClient(t, ociartifact.Options{})
	src := writeTree(t, manifests)
	for _, tag := range []string{"v1.0.0", "v1.1.0", "v2.0.0", "latest", "sha256-abc.sig"} {
		meta := ociartifact.Metadata{Source: "s", Revision: tag + "@sha1:abc"}
		if _, err := c.Push(ctx, reg.Ref("fleet/app:"+tag), src, meta, nil); err != nil {
			t.Fatal(err)
		}
	}
	tags, err := c.ListTags(ctx, reg.Ref("fleet/app"))
	if err != nil || len(tags) != 5 {
		t.Fatalf("ListTags = %v, %v; want 5 tags", tags, err)
	}
	list, err := c.ListArtifacts(ctx, reg.Ref("fleet/app"), ociartifact.ListOptions{SemverFilter: ">=1.1.0"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range list {
		got = append(got, m.URL+" "+m.Revision)
		if !strings.HasPrefix(m.Digest, "sha256:") {
			t.Errorf("%s has no digest", m.URL)
		}
	}
	want := []string{
		reg.Ref("fleet/app:v2.0.0") + " v2.0.0@sha1:abc",
		reg.Ref("fleet/app:v1.1.0") + " v1.1.0@sha1:abc",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ListArtifacts =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	all, err := c.ListArtifacts(ctx, reg.Ref("fleet/app"), ociartifact.ListOptions{})
	if err != nil || len(all) != 4 {
		t.Errorf("ListArtifacts without filter: %d artifacts (%v), want 4 (cosign's tag left out)", len(all), err)
	}
}

func TestInvalidURLs(t *testing.T) {
	for _, url := range []string{"ghcr.io/org/app:v1", "https://ghcr.io/org/app:v1", "oci://", "oci://ghcr.io/Org/App:v1"} {
		if _, err := ociartifact.ParseURL(url); !errors.Is(err, ociartifact.ErrInvalidURL) {
			t.Errorf("ParseURL(%q) error = %v, want ErrInvalidURL", url, err)
		}
	}
	got, err := ociartifact.ParseURL("oci://ghcr.io/org/app:v1")
	if err != nil || got != "ghcr.io/org/app:v1" {
		t.Errorf("ParseURL = %q, %v", got, err)
	}
	c := newClient(t, ociartifact.Options{})
	_, err = c.Push(context.Background(), "oci://127.0.0.1:1/a@sha256:"+strings.Repeat("0", 64), t.TempDir(), ociartifact.Metadata{}, nil)
	if !errors.Is(err, ociartifact.ErrInvalidURL) {
		t.Errorf("Push to a digest error = %v, want ErrInvalidURL", err)
	}
}

type countingTransport struct {
	next http.RoundTripper
	n    *atomic.Int32
}

func (c countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(req)
}
