package registry_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"

	"github.com/tidegitops/tide/image-automation-controller/internal/registry"
	"github.com/tidegitops/tide/image-automation-controller/internal/registry/registrytest"
)

func newClient(t testing.TB, opts registry.Options) *registry.Client {
	t.Helper()
	c, err := registry.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func dockerConfig(host, user, pass string) []byte {
	return fmt.Appendf(nil, `{"auths":{%q:{"username":%q,"password":%q}}}`, host, user, pass)
}

func TestListTagsFollowsPages(t *testing.T) {
	reg := registrytest.New(t, func(r *registrytest.Registry) { r.PageSize = 100 })
	want := make([]string, 0, 250)
	for i := range 250 {
		want = append(want, fmt.Sprintf("1.0.%d", i))
	}
	reg.Push(t, "app", want...)

	tags, err := newClient(t, registry.Options{}).ListTags(context.Background(), reg.Repo(t, "app"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(tags)
	slices.Sort(want)
	if !slices.Equal(tags, want) {
		t.Fatalf("got %d tags, want all %d", len(tags), len(want))
	}
	if pages := reg.RequestsMatching("/tags/list"); len(pages) != 3 {
		t.Errorf("asked %d pages, want 3: %v", len(pages), pages)
	}
}

func TestListTagsWithDockerConfig(t *testing.T) {
	reg := registrytest.New(t, func(r *registrytest.Registry) { r.User, r.Pass = "robot", "s3cret" })
	reg.Push(t, "private/app", "v1", "v2")
	ctx := context.Background()

	tags, err := newClient(t, registry.Options{DockerConfigJSON: dockerConfig(reg.Host, "robot", "s3cret")}).ListTags(ctx, reg.Repo(t, "private/app"))
	if err != nil || len(tags) != 2 {
		t.Fatalf("with the right credentials: tags %v, err %v", tags, err)
	}

	_, err = newClient(t, registry.Options{DockerConfigJSON: dockerConfig(reg.Host, "robot", "wrong")}).ListTags(ctx, reg.Repo(t, "private/app"))
	if !errors.Is(err, registry.ErrUnauthorized) || !strings.Contains(err.Error(), "spec.secretRef") {
		t.Errorf("wrong password: %v, want registry.ErrUnauthorized naming spec.secretRef", err)
	}
	if strings.Contains(fmt.Sprint(err), "wrong") {
		t.Errorf("the password shows in the error: %v", err)
	}
	_, err = newClient(t, registry.Options{}).ListTags(ctx, reg.Repo(t, "private/app"))
	if !errors.Is(err, registry.ErrUnauthorized) {
		t.Errorf("anonymous: %v, want registry.ErrUnauthorized", err)
	}
}

func TestNewRefusesUnreadableDockerConfig(t *testing.T) {
	_, err := registry.New(registry.Options{DockerConfigJSON: []byte(`{"auths": {"h": {"password": "hunter2"`)})
	if !errors.Is(err, registry.ErrInvalidCredentials) || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("got %v, want registry.ErrInvalidCredentials without the password", err)
	}
}

func TestListTagsOfUnknownImage(t *testing.T) {
	reg := registrytest.New(t, nil)
	_, err := newClient(t, registry.Options{}).ListTags(context.Background(), reg.Repo(t, "nothing/here"))
	if !errors.Is(err, registry.ErrNotFound) || !strings.Contains(err.Error(), "check spec.image") {
		t.Fatalf("got %v, want registry.ErrNotFound saying to check spec.image", err)
	}
}

func TestListTagsOfUnreachableRegistry(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	host := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	repo, err := registry.ParseImage(host+"/app", false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = newClient(t, registry.Options{}).ListTags(context.Background(), repo)
	if err == nil || errors.Is(err, registry.ErrNotFound) || errors.Is(err, registry.ErrUnauthorized) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("got %v, want a transient connection error", err)
	}
}

func TestRateLimitHonoursRetryAfter(t *testing.T) {
	reg := registrytest.New(t, func(r *registrytest.Registry) { r.RetryAfter = "1" })
	reg.Push(t, "app", "v1")
	reg.Throttled.Store(2)
	// A backoff far shorter than Retry-After: only the registry's word
	// can make the scan wait a second per retry.
	c := newClient(t, registry.Options{RateLimit: registry.RateLimit{Retries: 3, MaxWait: 10 * time.Second, Backoff: time.Millisecond}})
	start := time.Now()
	tags, err := c.ListTags(context.Background(), reg.Repo(t, "app"))
	if err != nil || len(tags) != 1 {
		t.Fatalf("tags %v, err %v", tags, err)
	}
	if took := time.Since(start); took < 2*time.Second {
		t.Errorf("two 429s with Retry-After: 1 were retried within %s", took)
	}
}

func TestRateLimitGivesUp(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		throttled  int32
		wantCalls  int // requests that got 429
	}{
		{name: "retries exhausted", retryAfter: "0", throttled: 100, wantCalls: 3},
		{name: "no Retry-After, backoff", retryAfter: "", throttled: 100, wantCalls: 3},
		{name: "asks for longer than MaxWait", retryAfter: "3600", throttled: 100, wantCalls: 1},
		{name: "asks with an HTTP date too far", retryAfter: time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), throttled: 100, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := registrytest.New(t, func(r *registrytest.Registry) { r.RetryAfter = tt.retryAfter })
			reg.Push(t, "app", "v1")
			reg.Reset()
			reg.Throttled.Store(tt.throttled)
			c := newClient(t, registry.Options{RateLimit: registry.RateLimit{Retries: 2, MaxWait: time.Second, Backoff: time.Millisecond}})
			start := time.Now()
			_, err := c.ListTags(context.Background(), reg.Repo(t, "app"))
			if !errors.Is(err, registry.ErrRateLimited) || !strings.Contains(err.Error(), "spec.interval") {
				t.Fatalf("got %v, want registry.ErrRateLimited", err)
			}
			if got := len(reg.RequestsMatching("GET")); got != tt.wantCalls {
				t.Errorf("%d requests sent, want %d", got, tt.wantCalls)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("giving up took %s", took)
			}
		})
	}
}

func TestRateLimitWaitEndsWithContext(t *testing.T) {
	reg := registrytest.New(t, func(r *registrytest.Registry) { r.RetryAfter = "30" })
	reg.Push(t, "app", "v1")
	reg.Throttled.Store(100)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := newClient(t, registry.Options{}).ListTags(ctx, reg.Repo(t, "app"))
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("err %v after %s, want the timeout to end the wait", err, time.Since(start))
	}
}

func TestDigest(t *testing.T) {
	reg := registrytest.New(t, nil)
	d1 := reg.Push(t, "app", "v1")
	d2 := reg.Push(t, "app", "v2")
	reg.Reset()
	c := newClient(t, registry.Options{})
	for tag, want := range map[string]string{"v1": d1, "v2": d2} {
		got, err := c.Digest(context.Background(), reg.Repo(t, "app"), tag)
		if err != nil || got != want {
			t.Errorf("digest of %s: %q, %v; want %q", tag, got, err, want)
		}
	}
	if heads := reg.RequestsMatching("HEAD /v2/app/manifests/"); len(heads) != 2 {
		t.Errorf("manifest HEADs: %v, want 2", heads)
	}
	if _, err := c.Digest(context.Background(), reg.Repo(t, "app"), "v3"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("digest of a missing tag: %v, want registry.ErrNotFound", err)
	}
}

func TestThroughProxy(t *testing.T) {
	reg := registrytest.New(t, nil)
	reg.Push(t, "app", "v1")
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if _, pass, ok := parseProxyAuth(req); !ok || pass != "proxy-pass" {
			w.WriteHeader(http.StatusProxyAuthRequired)
			return
		}
		proxied.Add(1)
		out, _ := http.NewRequestWithContext(req.Context(), req.Method, req.URL.String(), req.Body)
		out.Header = req.Header.Clone()
		out.Header.Del("Proxy-Authorization")
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
	defer proxy.Close()
	proxyURL, _ := url.Parse(proxy.URL)
	proxyURL.User = url.UserPassword("proxy-user", "proxy-pass")

	tags, err := newClient(t, registry.Options{ProxyURL: proxyURL}).ListTags(context.Background(), reg.Repo(t, "app"))
	if err != nil || len(tags) != 1 {
		t.Fatalf("tags %v, err %v", tags, err)
	}
	if proxied.Load() == 0 {
		t.Error("no request went through the proxy")
	}
}

func parseProxyAuth(req *http.Request) (string, string, bool) {
	r := &http.Request{Header: http.Header{"Authorization": req.Header.Values("Proxy-Authorization")}}
	return r.BasicAuth()
}

func TestTLSRegistry(t *testing.T) {
	srv := httptest.NewTLSServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "https://")
	repo, err := registry.ParseImage(host+"/app", false)
	if err != nil {
		t.Fatal(err)
	}
	trusted := &tls.Config{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs, MinVersion: tls.VersionTLS12}
	registrytest.PushOver(t, srv.Client().Transport, repo.Tag("v1").String())

	tags, err := newClient(t, registry.Options{TLSConfig: trusted}).ListTags(context.Background(), repo)
	if err != nil || len(tags) != 1 {
		t.Fatalf("with the CA: tags %v, err %v", tags, err)
	}
	_, err = newClient(t, registry.Options{}).ListTags(context.Background(), repo)
	if !errors.Is(err, registry.ErrTLS) || !strings.Contains(err.Error(), "spec.certSecretRef") {
		t.Errorf("without the CA: %v, want registry.ErrTLS naming spec.certSecretRef", err)
	}
}
