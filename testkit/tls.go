package testkit

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

// PKI is a throw-away certificate authority with a server certificate for
// 127.0.0.1 and a client certificate, all PEM-encoded as a user puts them in
// a Secret ('ca.crt', 'tls.crt', 'tls.key').
type PKI struct {
	CA                    []byte
	Pool                  *x509.CertPool
	ServerCert, ServerKey []byte
	ClientCert, ClientKey []byte
}

// NewPKI makes a fresh PKI valid for an hour around now.
func NewPKI(t testing.TB) PKI {
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
	p := PKI{CA: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), Pool: x509.NewCertPool()}
	p.Pool.AddCert(ca)
	p.ServerCert, p.ServerKey = issue(2, x509.ExtKeyUsageServerAuth, []net.IP{net.ParseIP("127.0.0.1")})
	p.ClientCert, p.ClientKey = issue(3, x509.ExtKeyUsageClientAuth, nil)
	return p
}

// startTLSFront serves the Git server over HTTPS with the PKI's server

// HTTPSFront serves backend (an http:// URL such as GitServer.HTTPURL) over
// HTTPS with the PKI's server certificate, requiring a client certificate
// when mtls is set, and returns the https:// URL of the same path.
func HTTPSFront(t testing.TB, backend string, p PKI, mtls bool) string {
	t.Helper()
	u, _ := url.Parse(backend)
	front := httptest.NewUnstartedServer(httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host}))
	cert, err := tls.X509KeyPair(p.ServerCert, p.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	front.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	if mtls {
		front.TLS.ClientAuth, front.TLS.ClientCAs = tls.RequireAndVerifyClientCert, p.Pool
	}
	front.StartTLS()
	t.Cleanup(front.Close)
	return "https://" + front.Listener.Addr().String() + u.Path
}

// StartProxy starts a forward HTTP proxy that wants the given basic
// credentials; count tells how many requests it forwarded.
func StartProxy(t testing.TB, user, pass string) (addr string, count func() int64) {
	t.Helper()
	var n atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequest("", "", nil)
		req.Header.Set("Authorization", r.Header.Get("Proxy-Authorization"))
		if u, p, ok := req.BasicAuth(); !ok || u != user || p != pass {
			w.Header().Set("Proxy-Authenticate", `Basic realm="proxy"`)
			w.WriteHeader(http.StatusProxyAuthRequired)
			return
		}
		n.Add(1)
		r.Header.Del("Proxy-Authorization")
		(&httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.Out.URL = r.URL }}).ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	return proxy.URL, n.Load
}
