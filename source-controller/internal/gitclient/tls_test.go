package gitclient

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tidegitops/tide/testkit"
)

type testPKI struct {
	caPEM                 []byte
	pool                  *x509.CertPool
	serverCert, serverKey []byte
	clientCert, clientKey []byte
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tide test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(serial int64, usage x509.ExtKeyUsage, ips []net.IP) ([]byte, []byte) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "tide test"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: ips,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, _ := x509.MarshalECPrivateKey(key)
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	}
	p := testPKI{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), pool: x509.NewCertPool()}
	p.pool.AddCert(ca)
	p.serverCert, p.serverKey = issue(2, x509.ExtKeyUsageServerAuth, []net.IP{net.ParseIP("127.0.0.1")})
	p.clientCert, p.clientKey = issue(3, x509.ExtKeyUsageClientAuth, nil)
	return p
}

// startTLSFront serves the Git server over HTTPS with the PKI's server
// certificate, requiring a client certificate when mtls is set.
func startTLSFront(t *testing.T, backend string, p testPKI, mtls bool) string {
	t.Helper()
	u, _ := url.Parse(backend)
	front := httptest.NewUnstartedServer(httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host}))
	cert, err := tls.X509KeyPair(p.serverCert, p.serverKey)
	if err != nil {
		t.Fatal(err)
	}
	front.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	if mtls {
		front.TLS.ClientAuth, front.TLS.ClientCAs = tls.RequireAndVerifyClientCert, p.pool
	}
	front.StartTLS()
	t.Cleanup(front.Close)
	return "https://" + front.Listener.Addr().String() + u.Path
}

func TestHTTPS(t *testing.T) {
	srv := testkit.StartGitServer(t)
	head := srv.NewRepo(t, "app").Write("a.txt", "a").Commit("one")
	p := newTestPKI(t)
	tlsURL := startTLSFront(t, srv.HTTPURL("app"), p, false)
	mtlsURL := startTLSFront(t, srv.HTTPURL("app"), p, true)

	tests := []struct {
		name    string
		url     string
		secret  map[string][]byte
		wantErr error
		hint    string
	}{
		{"custom CA", tlsURL, map[string][]byte{"ca.crt": p.caPEM}, nil, ""},
		{"CA unknown", tlsURL, nil, ErrAuthFailed, "put its CA under 'ca.crt'"},
		{"mTLS", mtlsURL, map[string][]byte{"ca.crt": p.caPEM, "tls.crt": p.clientCert, "tls.key": p.clientKey}, nil, ""},
		{"mTLS without client certificate", mtlsURL, map[string][]byte{"ca.crt": p.caPEM}, ErrAuthFailed, "'tls.crt'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth, err := AuthFromSecret(tt.url, tt.secret)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			res, err := Resolve(ctx, tt.url, auth, Ref{})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.hint) {
					t.Fatalf("Resolve error = %v, want %v with %q", err, tt.wantErr, tt.hint)
				}
				return
			}
			if err != nil || res.Hash != head {
				t.Fatalf("Resolve = %+v, %v; want %s", res, err, head)
			}
			c, err := Checkout(ctx, tt.url, auth, Ref{}, t.TempDir(), CheckoutOptions{})
			if err != nil || c.Hash != head {
				t.Fatalf("Checkout = %+v, %v", c, err)
			}
		})
	}
}

// startProxy is a forward HTTP proxy that wants the given basic credentials
// and counts the requests it forwards.
func startProxy(t *testing.T, user, pass string) (addr string, count func() int) {
	t.Helper()
	n := make(chan struct{}, 100)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequest("", "", nil)
		req.Header.Set("Authorization", r.Header.Get("Proxy-Authorization"))
		if u, p, ok := req.BasicAuth(); !ok || u != user || p != pass {
			w.Header().Set("Proxy-Authenticate", `Basic realm="proxy"`)
			w.WriteHeader(http.StatusProxyAuthRequired)
			return
		}
		n <- struct{}{}
		r.Header.Del("Proxy-Authorization")
		(&httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.Out.URL = r.URL }}).ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	return proxy.URL, func() int { return len(n) }
}

func TestProxy(t *testing.T) {
	srv := testkit.StartGitServer(t)
	head := srv.NewRepo(t, "app").Write("a.txt", "a").Commit("one")
	addr, count := startProxy(t, "proxyuser", "proxy-pass-value")

	auth, err := (*Auth)(nil).WithProxy(addr, "proxyuser", "proxy-pass-value")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Resolve(context.Background(), srv.HTTPURL("app"), auth, Ref{})
	if err != nil || res.Hash != head {
		t.Fatalf("Resolve through proxy = %+v, %v", res, err)
	}
	if _, err := Checkout(context.Background(), srv.HTTPURL("app"), auth, Ref{}, t.TempDir(), CheckoutOptions{}); err != nil {
		t.Fatalf("Checkout through proxy: %v", err)
	}
	if count() < 3 {
		t.Errorf("proxy forwarded %d requests, want the list and the fetch (3+)", count())
	}

	wrong, _ := (*Auth)(nil).WithProxy(addr, "proxyuser", "wrong-proxy-pass")
	_, err = Resolve(context.Background(), srv.HTTPURL("app"), wrong, Ref{})
	if !errors.Is(err, ErrAuthFailed) {
		t.Fatalf("wrong proxy password: error = %v, want ErrAuthFailed", err)
	}
	assertNoSecrets(t, err.Error(), "wrong-proxy-pass")
}
