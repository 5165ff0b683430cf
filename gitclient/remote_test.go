package gitclient

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tidegitops/tide/testkit"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func TestRemoteAuth(t *testing.T) {
	srv := testkit.StartGitServer(t, testkit.WithBasicAuth("alice", "s3cret-pass"),
		testkit.WithBearerToken("t0ken-value"), testkit.WithSSH())
	head := srv.NewRepo(t, "app").Write("a.txt", "a").Commit("one")
	otherKey, _ := testSSHKeys(t, "x")
	hostPort := strings.TrimSuffix(strings.TrimPrefix(srv.SSHURL("app"), "ssh://git@"), "/app.git")
	wrongType := testKnownHosts(t, knownhosts.Normalize(hostPort))
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaPub, _ := ssh.NewPublicKey(&rsaKey.PublicKey)
	wrongKey := knownhosts.Line([]string{knownhosts.Normalize(hostPort)}, rsaPub)
	withCreds := strings.Replace(srv.HTTPURL("app"), "://", "://alice:wr0ng-in-url@", 1)

	tests := []struct {
		name    string
		url     string
		secret  map[string]string
		wantErr error
		hint    string
	}{
		{"basic auth", srv.HTTPURL("app"), map[string]string{"username": "alice", "password": "s3cret-pass"}, nil, ""},
		{"bearer token", srv.HTTPURL("app"), map[string]string{"bearerToken": "t0ken-value"}, nil, ""},
		{"ssh", srv.SSHURL("app"), map[string]string{"identity": string(srv.ClientKey()), "known_hosts": string(srv.KnownHosts())}, nil, ""},
		{"wrong password", srv.HTTPURL("app"), map[string]string{"username": "alice", "password": "wr0ng-pass"}, ErrAuthFailed, "valid credentials"},
		{"wrong token", srv.HTTPURL("app"), map[string]string{"bearerToken": "wr0ng-token"}, ErrAuthFailed, "valid credentials"},
		{"no credentials", srv.HTTPURL("app"), nil, ErrAuthFailed, "valid credentials"},
		{"wrong password in URL", withCreds, nil, ErrAuthFailed, "valid credentials"},
		{"ssh host key mismatch", srv.SSHURL("app"), map[string]string{"identity": string(srv.ClientKey()), "known_hosts": wrongKey}, ErrAuthFailed, "does not match 'known_hosts'"},
		{"ssh host key of another type", srv.SSHURL("app"), map[string]string{"identity": string(srv.ClientKey()), "known_hosts": wrongType}, ErrAuthFailed, "does not match 'known_hosts'"},
		{"ssh key refused", srv.SSHURL("app"), map[string]string{"identity": otherKey, "known_hosts": string(srv.KnownHosts())}, ErrAuthFailed, "refused the 'identity'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := map[string][]byte{}
			for k, v := range tt.secret {
				data[k] = []byte(v)
			}
			auth, err := AuthFromSecret(tt.url, data)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			res, rerr := Resolve(ctx, tt.url, auth, Ref{})
			_, cerr := Checkout(ctx, tt.url, auth, Ref{}, t.TempDir(), CheckoutOptions{})
			for op, err := range map[string]error{"Resolve": rerr, "Checkout": cerr} {
				if tt.wantErr == nil {
					if err != nil {
						t.Errorf("%s: %v", op, err)
					}
					continue
				}
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.hint) {
					t.Errorf("%s error = %v, want %v with %q", op, err, tt.wantErr, tt.hint)
				} else {
					t.Logf("%s: %v", op, err)
				}
				if err != nil {
					assertNoSecrets(t, err.Error(), "wr0ng-in-url", "wr0ng-pass", "wr0ng-token", "s3cret-pass", "t0ken-value")
				}
			}
			if tt.wantErr == nil && res.Hash != head {
				t.Errorf("Resolve = %+v, want %s", res, head)
			}
		})
	}
}

func TestSSHNeedsSecret(t *testing.T) {
	_, err := Resolve(context.Background(), "ssh://git@127.0.0.1:1/r.git", nil, Ref{})
	if !errors.Is(err, ErrInvalidAuth) || !strings.Contains(err.Error(), "'identity' and 'known_hosts'") {
		t.Fatalf("error = %v, want ErrInvalidAuth naming the keys", err)
	}
}

func TestUnreachable(t *testing.T) {
	// A listener that accepts connections but never answers: only the
	// context's deadline ends the wait.
	hung, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hung.Close() })
	go func() {
		for {
			c, err := hung.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	tests := []struct {
		name    string
		url     string
		timeout time.Duration
	}{
		{"connection refused", testkit.UnreachableURL(t), 5 * time.Second},
		{"server never answers", "http://" + hung.Addr().String() + "/r.git", 500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, op := range []string{"Resolve", "Checkout"} {
				ctx, cancel := context.WithTimeout(context.Background(), tt.timeout)
				start := time.Now()
				if op == "Resolve" {
					_, err = Resolve(ctx, tt.url, nil, Ref{})
				} else {
					_, err = Checkout(ctx, tt.url, nil, Ref{}, t.TempDir(), CheckoutOptions{})
				}
				cancel()
				if !errors.Is(err, ErrUnreachable) {
					t.Errorf("%s error = %v, want ErrUnreachable", op, err)
				}
				if d := time.Since(start); d > tt.timeout+2*time.Second {
					t.Errorf("%s took %v, want it bounded by the %v context", op, d, tt.timeout)
				}
			}
		})
	}
}
