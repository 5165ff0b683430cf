package gitclient

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tidegitops/tide/testkit"
)

func TestHTTPS(t *testing.T) {
	srv := testkit.StartGitServer(t)
	head := srv.NewRepo(t, "app").Write("a.txt", "a").Commit("one")
	p := testkit.NewPKI(t)
	tlsURL := testkit.HTTPSFront(t, srv.HTTPURL("app"), p, false)
	mtlsURL := testkit.HTTPSFront(t, srv.HTTPURL("app"), p, true)

	tests := []struct {
		name    string
		url     string
		secret  map[string][]byte
		wantErr error
		hint    string
	}{
		{"custom CA", tlsURL, map[string][]byte{"ca.crt": p.CA}, nil, ""},
		{"custom CA under its older name", tlsURL, map[string][]byte{"caFile": p.CA}, nil, ""},
		{"ca.crt wins over caFile", tlsURL, map[string][]byte{"ca.crt": p.ClientCert, "caFile": p.CA}, ErrAuthFailed, "put its CA under 'ca.crt'"},
		{"CA unknown", tlsURL, nil, ErrAuthFailed, "put its CA under 'ca.crt'"},
		{"mTLS", mtlsURL, map[string][]byte{"ca.crt": p.CA, "tls.crt": p.ClientCert, "tls.key": p.ClientKey}, nil, ""},
		{"mTLS without client certificate", mtlsURL, map[string][]byte{"ca.crt": p.CA}, ErrAuthFailed, "'tls.crt'"},
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

func TestProxy(t *testing.T) {
	srv := testkit.StartGitServer(t)
	head := srv.NewRepo(t, "app").Write("a.txt", "a").Commit("one")
	addr, count := testkit.StartProxy(t, "proxyuser", "proxy-pass-value")

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
