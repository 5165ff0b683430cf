package registry

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
)

func newClient(t testing.TB, opts Options) *Client {
	t.Helper()
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func dockerConfig(host, user, pass string) []byte {
	return fmt.Appendf(nil, `{"auths":{%q:{"username":%q,"password":%q}}}`, host, user, pass)
}

func TestListTagsFollowsPages(t *testing.T) {
	reg := newTestRegistry(t, func(r *testRegistry) { r.pageSize = 100 })
	want := make([]string, 0, 250)
	for i := range 250 {
		want = append(want, fmt.Sprintf("1.0.%d", i))
	}
	reg.push(t, "app", want...)

	tags, err := newClient(t, Options{}).ListTags(context.Background(), reg.repo(t, "app"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(tags)
	slices.Sort(want)
	if !slices.Equal(tags, want) {
		t.Fatalf("got %d tags, want all %d", len(tags), len(want))
	}
	if pages := reg.requestsMatching("/tags/list"); len(pages) != 3 {
		t.Errorf("asked %d pages, want 3: %v", len(pages), pages)
	}
}

func TestListTagsWithDockerConfig(t *testing.T) {
	reg := newTestRegistry(t, func(r *testRegistry) { r.user, r.pass = "robot", "s3cret" })
	reg.push(t, "private/app", "v1", "v2")
	ctx := context.Background()

	tags, err := newClient(t, Options{DockerConfigJSON: dockerConfig(reg.host, "robot", "s3cret")}).ListTags(ctx, reg.repo(t, "private/app"))
	if err != nil || len(tags) != 2 {
		t.Fatalf("with the right credentials: tags %v, err %v", tags, err)
	}

	_, err = newClient(t, Options{DockerConfigJSON: dockerConfig(reg.host, "robot", "wrong")}).ListTags(ctx, reg.repo(t, "private/app"))
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "spec.secretRef") {
		t.Errorf("wrong password: %v, want ErrUnauthorized naming spec.secretRef", err)
	}
	if strings.Contains(fmt.Sprint(err), "wrong") {
		t.Errorf("the password shows in the error: %v", err)
	}
	_, err = newClient(t, Options{}).ListTags(ctx, reg.repo(t, "private/app"))
	if !errors.Is(err, ErrUnauthorized) {
		t.Errorf("anonymous: %v, want ErrUnauthorized", err)
	}
}

func TestNewRefusesUnreadableDockerConfig(t *testing.T) {
	_, err := New(Options{DockerConfigJSON: []byte(`{"auths": {"h": {"password": "hunter2"`)})
	if !errors.Is(err, ErrInvalidCredentials) || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("got %v, want ErrInvalidCredentials without the password", err)
	}
}

func TestListTagsOfUnknownImage(t *testing.T) {
	reg := newTestRegistry(t, nil)
	_, err := newClient(t, Options{}).ListTags(context.Background(), reg.repo(t, "nothing/here"))
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "check spec.image") {
		t.Fatalf("got %v, want ErrNotFound saying to check spec.image", err)
	}
}

func TestListTagsOfUnreachableRegistry(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	host := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	repo, err := ParseImage(host+"/app", false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = newClient(t, Options{}).ListTags(context.Background(), repo)
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("got %v, want a transient connection error", err)
	}
}

func TestRateLimitHonoursRetryAfter(t *testing.T) {
	reg := newTestRegistry(t, func(r *testRegistry) { r.retryAfter = "1" })
	reg.push(t, "app", "v1")
	reg.throttled.Store(2)
	// A backoff far shorter than Retry-After: only the registry's word
	// can make the scan wait a second per retry.
	c := newClient(t, Options{RateLimit: RateLimit{Retries: 3, MaxWait: 10 * time.Second, Backoff: time.Millisecond}})
	start := time.Now()
	tags, err := c.ListTags(context.Background(), reg.repo(t, "app"))
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
			reg := newTestRegistry(t, func(r *testRegistry) { r.retryAfter = tt.retryAfter })
			reg.push(t, "app", "v1")
			reg.reset()
			reg.throttled.Store(tt.throttled)
			c := newClient(t, Options{RateLimit: RateLimit{Retries: 2, MaxWait: time.Second, Backoff: time.Millisecond}})
			start := time.Now()
			_, err := c.ListTags(context.Background(), reg.repo(t, "app"))
			if !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "spec.interval") {
				t.Fatalf("got %v, want ErrRateLimited", err)
			}
			if got := len(reg.requestsMatching("GET")); got != tt.wantCalls {
				t.Errorf("%d requests sent, want %d", got, tt.wantCalls)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("giving up took %s", took)
			}
		})
	}
}

func TestRateLimitWaitEndsWithContext(t *testing.T) {
	reg := newTestRegistry(t, func(r *testRegistry) { r.retryAfter = "30" })
	reg.push(t, "app", "v1")
	reg.throttled.Store(100)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := newClient(t, Options{}).ListTags(ctx, reg.repo(t, "app"))
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("err %v after %s, want the timeout to end the wait", err, time.Since(start))
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value     string
		wait      time.Duration
		wantAsked bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{"-3", 0, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		wait, asked := retryAfter(tt.value, now)
		if wait != tt.wait || asked != tt.wantAsked {
			t.Errorf("retryAfter(%q) = %s, %v; want %s, %v", tt.value, wait, asked, tt.wait, tt.wantAsked)
		}
	}
}

func TestDigest(t *testing.T) {
	reg := newTestRegistry(t, nil)
	d1 := reg.push(t, "app", "v1")
	d2 := reg.push(t, "app", "v2")
	reg.reset()
	c := newClient(t, Options{})
	for tag, want := range map[string]string{"v1": d1, "v2": d2} {
		got, err := c.Digest(context.Background(), reg.repo(t, "app"), tag)
		if err != nil || got != want {
			t.Errorf("digest of %s: %q, %v; want %q", tag, got, err, want)
		}
	}
	if heads := reg.requestsMatching("HEAD /v2/app/manifests/"); len(heads) != 2 {
		t.Errorf("manifest HEADs: %v, want 2", heads)
	}
	if _, err := c.Digest(context.Background(), reg.repo(t, "app"), "v3"); !errors.Is(err, ErrNotFound) {
		t.Errorf("digest of a missing tag: %v, want ErrNotFound", err)
	}
}

func TestThroughProxy(t *testing.T) {
	reg := newTestRegistry(t, nil)
	reg.push(t, "app", "v1")
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

	tags, err := newClient(t, Options{ProxyURL: proxyURL}).ListTags(context.Background(), reg.repo(t, "app"))
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
	repo, err := ParseImage(host+"/app", false)
	if err != nil {
		t.Fatal(err)
	}
	trusted := &tls.Config{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs, MinVersion: tls.VersionTLS12}
	pushOver(t, srv.Client().Transport, repo.Tag("v1").String())

	tags, err := newClient(t, Options{TLSConfig: trusted}).ListTags(context.Background(), repo)
	if err != nil || len(tags) != 1 {
		t.Fatalf("with the CA: tags %v, err %v", tags, err)
	}
	_, err = newClient(t, Options{}).ListTags(context.Background(), repo)
	if !errors.Is(err, ErrTLS) || !strings.Contains(err.Error(), "spec.certSecretRef") {
		t.Errorf("without the CA: %v, want ErrTLS naming spec.certSecretRef", err)
	}
}
