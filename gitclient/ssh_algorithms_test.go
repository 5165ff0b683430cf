package gitclient

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tidegitops/tide/testkit"
)

// The algorithm lists reach the SSH handshake: a list the server supports
// works, a list of only algorithms the server lacks fails with a message
// naming the flag to fix. The test server has Go's default key exchanges
// and an RSA host key.
func TestSSHAlgorithms(t *testing.T) {
	srv := testkit.StartGitServer(t, testkit.WithSSH())
	head := srv.NewRepo(t, "app").Write("a.txt", "a").Commit("one")
	url := srv.SSHURL("app")

	tests := []struct {
		name    string
		algos   SSHAlgorithms
		wantErr error
		hint    string
	}{
		{"defaults", SSHAlgorithms{}, nil, ""},
		{"supported lists", SSHAlgorithms{
			KeyExchanges: []string{"curve25519-sha256", "ecdh-sha2-nistp256"},
			HostKeys:     []string{"rsa-sha2-512", "rsa-sha2-256"}}, nil, ""},
		{"key exchange the server lacks", SSHAlgorithms{KeyExchanges: []string{"diffie-hellman-group1-sha1"}},
			nil, "none of the key exchange algorithms the controller offers: check its --ssh-kex-algos"},
		{"host key type the server lacks", SSHAlgorithms{HostKeys: []string{"ssh-ed25519"}},
			ErrAuthFailed, "or is of no type the controller's --ssh-hostkey-algos allows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth, err := AuthFromSecret(url, map[string][]byte{"identity": srv.ClientKey(), "known_hosts": srv.KnownHosts()})
			if err != nil {
				t.Fatal(err)
			}
			auth.SSH = tt.algos
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			res, err := Resolve(ctx, url, auth, Ref{})
			switch {
			case tt.hint == "" && err != nil:
				t.Fatalf("Resolve: %v", err)
			case tt.hint == "" && res.Hash != head:
				t.Fatalf("Resolve = %+v, want %s", res, head)
			case tt.hint != "" && (err == nil || !strings.Contains(err.Error(), tt.hint)):
				t.Fatalf("Resolve error = %v, want one with %q", err, tt.hint)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("Resolve error = %v, want %v", err, tt.wantErr)
			case err != nil:
				t.Logf("Resolve: %v", err)
			}
		})
	}
}
