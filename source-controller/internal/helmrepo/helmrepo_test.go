package helmrepo

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/helmserver"
)

var app = helmserver.Chart{Name: "app", Version: "1.0.0"}

func secret(name string, data map[string]string) *corev1.Secret {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"}, Data: map[string][]byte{}}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	return s
}

func options(t *testing.T, repoURL string, auth, cert *corev1.Secret, pass bool) Options {
	t.Helper()
	opts, err := OptionsFromSecrets(context.Background(), repoURL, auth, cert, pass, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return opts
}

// The index and charts come back as served, with credentials and TLS as the
// Secrets say; each refusal is classified and says what to do, without the
// password.
func TestFetchIndex(t *testing.T) {
	ctx := context.Background()
	plain := helmserver.Start(t, helmserver.WithCharts(app), helmserver.WithBasicAuth("user", "s3cret"))
	secured := helmserver.Start(t, helmserver.WithCharts(app), helmserver.WithTLS(true))
	good := secret("auth", map[string]string{"username": "user", "password": "s3cret"})
	wrong := secret("auth", map[string]string{"username": "user", "password": "wr0ng-pass"})
	certs := secret("certs", map[string]string{"ca.crt": string(secured.PKI.CA),
		"tls.crt": string(secured.PKI.ClientCert), "tls.key": string(secured.PKI.ClientKey)})
	caOnly := secret("certs", map[string]string{"ca.crt": string(secured.PKI.CA)})
	legacy := secret("auth", map[string]string{"caFile": string(secured.PKI.CA),
		"certFile": string(secured.PKI.ClientCert), "keyFile": string(secured.PKI.ClientKey)})

	tests := []struct {
		name     string
		url      string
		opts     Options
		maxSize  int64
		wantErr  error
		wantText string
	}{
		{name: "basic auth", url: plain.URL, opts: options(t, plain.URL, good, nil, false)},
		{name: "trailing slash", url: plain.URL + "/", opts: options(t, plain.URL, good, nil, false)},
		{name: "no credentials", url: plain.URL, wantErr: ErrUnauthorized, wantText: "401 Unauthorized: give credentials in spec.secretRef"},
		{name: "wrong credentials", url: plain.URL, opts: options(t, plain.URL, wrong, nil, false), wantErr: ErrUnauthorized, wantText: "403 Forbidden: check the credentials"},
		{name: "too large", url: plain.URL, opts: options(t, plain.URL, good, nil, false), maxSize: 10, wantErr: ErrTooLarge, wantText: "raise --helm-index-max-size"},
		{name: "mTLS", url: secured.URL, opts: options(t, secured.URL, nil, certs, false)},
		{name: "mTLS from deprecated secretRef keys", url: secured.URL, opts: options(t, secured.URL, legacy, nil, false)},
		{name: "unknown CA", url: secured.URL, wantErr: ErrTLS, wantText: "put its CA in the certSecretRef Secret as 'ca.crt'"},
		{name: "client certificate missing", url: secured.URL, opts: options(t, secured.URL, nil, caOnly, false), wantErr: ErrTLS, wantText: "'tls.crt' and 'tls.key'"},
		{name: "TLS to a plain server", url: strings.Replace(plain.URL, "http:", "https:", 1), wantErr: ErrTLS, wantText: "does not speak TLS"},
		{name: "unreachable", url: testkit.UnreachableURL(t), wantText: "check the URL and that the server is reachable"},
		{name: "not http", url: "oci://registry/charts", wantErr: ErrInvalidURL, wantText: "use type 'oci'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := FetchIndex(ctx, tt.url, tt.opts, tt.maxSize)
			if tt.wantErr == nil && tt.wantText == "" {
				if err != nil {
					t.Fatalf("FetchIndex: %v", err)
				}
				if !strings.Contains(string(data), "app-1.0.0.tgz") {
					t.Fatalf("index does not list the chart:\n%s", data)
				}
				return
			}
			if err == nil {
				t.Fatal("FetchIndex succeeded, want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q is not %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not say %q", err, tt.wantText)
			}
			if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "wr0ng-pass") {
				t.Errorf("error shows a password: %q", err)
			}
		})
	}
}

// Credentials go to the repository's host, and to the host of a chart URL
// elsewhere only with passCredentials.
func TestDownloadChartPassCredentials(t *testing.T) {
	ctx := context.Background()
	charts := helmserver.Start(t, helmserver.WithCharts(app))
	repo := helmserver.Start(t, helmserver.WithCharts(app), helmserver.WithChartBaseURL(charts.URL),
		helmserver.WithBasicAuth("user", "s3cret"))
	auth := secret("auth", map[string]string{"username": "user", "password": "s3cret"})

	url, err := ChartURL(repo.URL, app.Name+"-"+app.Version+".tgz")
	if err != nil || url != repo.URL+"/app-1.0.0.tgz" {
		t.Fatalf("relative chart URL resolved to %q, %v", url, err)
	}
	if _, err := DownloadChart(ctx, url, options(t, repo.URL, auth, nil, false), 0); err != nil {
		t.Fatalf("same host: %v", err)
	}
	other := charts.ChartURL(app)
	for _, pass := range []bool{false, true} {
		data, err := DownloadChart(ctx, other, options(t, repo.URL, auth, nil, pass), 1<<20)
		if err != nil || string(data) != string(charts.PackageOf(app)) {
			t.Fatalf("passCredentials=%v: %v", pass, err)
		}
		want := int64(0)
		if pass {
			want = 1
		}
		if got := charts.AuthorizedRequests(); got != want {
			t.Errorf("passCredentials=%v: the other host saw credentials %d times, want %d", pass, got, want)
		}
	}
	if _, err := DownloadChart(ctx, other, Options{}, 10); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "--helm-chart-max-size") {
		t.Errorf("oversized chart: %v", err)
	}
	charts.SetStatus(http.StatusNotFound)
	if _, err := DownloadChart(ctx, other, Options{}, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing chart: %v", err)
	}
}

// A Secret with half of basic auth or unusable TLS data is refused, naming
// the Secret and the keys, not the data.
func TestOptionsFromSecretsRefusesBadData(t *testing.T) {
	ctx := context.Background()
	for name, tt := range map[string]struct{ auth, cert *corev1.Secret }{
		"username only": {auth: secret("auth", map[string]string{"username": "user"})},
		"bad CA":        {cert: secret("certs", map[string]string{"ca.crt": "not-a-pem-s3cret"})},
		"key only":      {cert: secret("certs", map[string]string{"tls.key": "s3cret"})},
	} {
		_, err := OptionsFromSecrets(ctx, "https://charts.example.com", tt.auth, tt.cert, false, 0)
		if !errors.Is(err, ErrInvalidSecret) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A bearer token in secretRef is sent (Tide's addition), a CA from
// certSecretRef is trusted along with the system's roots (as Flux), and
// incomplete TLS data in secretRef is not used (as Flux).
func TestOptionsFromSecretsFluxRules(t *testing.T) {
	ctx := context.Background()
	opts := options(t, "https://charts.example.com", secret("auth", map[string]string{"bearerToken": "t0ken"}), nil, false)
	if opts.BearerToken != "t0ken" || opts.Username != "" {
		t.Errorf("bearer token not read: %+v", opts)
	}
	opts = options(t, "https://charts.example.com", secret("auth", map[string]string{"certFile": "half"}), nil, false)
	if opts.TLS != nil || opts.DeprecatedTLS {
		t.Errorf("incomplete TLS data in secretRef was used")
	}
	pki := testkit.NewPKI(t)
	opts, err := OptionsFromSecrets(ctx, "https://charts.example.com", nil,
		secret("certs", map[string]string{"ca.crt": string(pki.CA)}), false, 0)
	if err != nil || opts.TLS == nil || opts.TLS.RootCAs == nil {
		t.Fatalf("no CA: %v", err)
	}
	if sys, _ := x509.SystemCertPool(); sys != nil && !sys.Equal(x509.NewCertPool()) && opts.TLS.RootCAs.Equal(pki.Pool) {
		t.Errorf("the CA replaced the system roots instead of extending them")
	}
}

func TestOptionsPrintNoSecrets(t *testing.T) {
	opts := Options{RepoURL: "https://u:s3cret@h/", Username: "u", Password: "s3cret", BearerToken: "s3cret"}
	for _, s := range []string{fmt.Sprint(opts), fmt.Sprintf("%+v", opts), fmt.Sprintf("%v", &opts)} {
		if strings.Contains(s, "s3cret") {
			t.Errorf("printed options show a secret: %s", s)
		}
	}
}

// With the ETag of the index last fetched, an unchanged index is not sent
// again; a changed one is.
func TestFetchIndexIfChanged(t *testing.T) {
	ctx := context.Background()
	srv := helmserver.Start(t, helmserver.WithCharts(app))
	first, err := FetchIndexIfChanged(ctx, srv.URL, Options{}, 0, "")
	if err != nil || first.ETag == "" || first.NotModified || len(first.Data) == 0 {
		t.Fatalf("first fetch: %+v, %v", first.ETag, err)
	}
	again, err := FetchIndexIfChanged(ctx, srv.URL, Options{}, 0, first.ETag)
	if err != nil || !again.NotModified || again.Data != nil || srv.NotModified() != 1 {
		t.Fatalf("unchanged index: not modified %v, %d bytes, %v", again.NotModified, len(again.Data), err)
	}
	srv.AddCharts(helmserver.Chart{Name: "app", Version: "2.0.0"})
	changed, err := FetchIndexIfChanged(ctx, srv.URL, Options{}, 0, first.ETag)
	if err != nil || changed.NotModified || changed.ETag == first.ETag || !strings.Contains(string(changed.Data), "2.0.0") {
		t.Fatalf("changed index: %v", err)
	}
}
