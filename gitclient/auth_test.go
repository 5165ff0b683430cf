package gitclient

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/tidegitops/tide/testkit"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

const sshURL = "ssh://git@git.example.com:2222/org/repo.git"

func TestAuthFromSecret(t *testing.T) {
	key, encKey := testSSHKeys(t, "correct-passphrase")
	hosts := testKnownHosts(t, "[git.example.com]:2222")
	otherHosts := testKnownHosts(t, "elsewhere.example.com")
	pki := testkit.NewPKI(t)

	tests := []struct {
		name    string
		url     string
		data    map[string]string
		wantErr string // "" for success
		check   func(t *testing.T, a *Auth)
	}{
		{name: "anonymous https", url: "https://h/r.git", data: nil, check: func(t *testing.T, a *Auth) {
			if a.Method != nil {
				t.Errorf("method = %v, want none", a.Method)
			}
		}},
		{name: "basic auth", url: "https://h/r.git", data: map[string]string{"username": "alice", "password": "pa55-value"},
			check: func(t *testing.T, a *Auth) {
				if b, ok := a.Method.(*githttp.BasicAuth); !ok || b.Username != "alice" || b.Password != "pa55-value" {
					t.Errorf("method = %v, want basic auth", a.Method)
				}
			}},
		{name: "bearer token", url: "https://h/r.git", data: map[string]string{"bearerToken": "tok-value"},
			check: func(t *testing.T, a *Auth) {
				if b, ok := a.Method.(*githttp.TokenAuth); !ok || b.Token != "tok-value" {
					t.Errorf("method = %v, want token auth", a.Method)
				}
			}},
		{name: "CA and client certificate", url: "https://h/r.git",
			data: map[string]string{"ca.crt": string(pki.CA), "tls.crt": string(pki.ClientCert), "tls.key": string(pki.ClientKey)},
			check: func(t *testing.T, a *Auth) {
				if len(a.CABundle) == 0 || len(a.ClientCert) == 0 || len(a.ClientKey) == 0 {
					t.Errorf("TLS material missing: %v", a)
				}
			}},
		{name: "ssh", url: sshURL, data: map[string]string{"identity": key, "known_hosts": hosts}},
		{name: "ssh with encrypted key", url: sshURL,
			data: map[string]string{"identity": encKey, "known_hosts": hosts, "password": "correct-passphrase"}},
		{name: "ssh scp-like URL", url: "git@git.example.com:org/repo.git",
			data: map[string]string{"identity": key, "known_hosts": testKnownHosts(t, "git.example.com")}},

		{name: "username without password", url: "https://h/r.git", data: map[string]string{"username": "user-value"},
			wantErr: "secret has 'username' but no 'password': add the 'password' key"},
		{name: "password without username", url: "https://h/r.git", data: map[string]string{"password": "pass-value"},
			wantErr: "secret has 'password' but no 'username': add the 'username' key"},
		{name: "token and basic auth", url: "https://h/r.git",
			data:    map[string]string{"username": "user-value", "password": "pass-value", "bearerToken": "tok-value"},
			wantErr: "both 'bearerToken' and 'username'/'password'"},
		{name: "invalid CA", url: "https://h/r.git", data: map[string]string{"ca.crt": "not-a-cert-value"},
			wantErr: "'ca.crt' is not valid: no PEM certificate found"},
		{name: "client cert without key", url: "https://h/r.git", data: map[string]string{"tls.crt": string(pki.ClientCert)},
			wantErr: "secret has 'tls.crt' but no 'tls.key'"},
		{name: "client key without cert", url: "https://h/r.git", data: map[string]string{"tls.key": string(pki.ClientKey)},
			wantErr: "secret has 'tls.key' but no 'tls.crt'"},
		{name: "client cert with wrong key", url: "https://h/r.git",
			data:    map[string]string{"tls.crt": string(pki.ClientCert), "tls.key": string(pki.ServerKey)},
			wantErr: "'tls.crt' and 'tls.key' are not a valid PEM certificate and matching private key"},
		{name: "ssh without secret", url: sshURL, data: nil,
			wantErr: "ssh URL needs 'identity' and 'known_hosts' keys in the secret: add 'identity' and 'known_hosts'"},
		{name: "ssh without known_hosts", url: sshURL, data: map[string]string{"identity": key},
			wantErr: "ssh URL needs 'identity' and 'known_hosts' keys in the secret: add 'known_hosts'"},
		{name: "ssh without identity", url: sshURL, data: map[string]string{"known_hosts": hosts},
			wantErr: "add 'identity'"},
		{name: "invalid known_hosts", url: sshURL, data: map[string]string{"identity": key, "known_hosts": "# c\ngit.example.com ssh-ed25519 garbage-value"},
			wantErr: "'known_hosts' is not valid: line 2"},
		{name: "known_hosts for another host", url: sshURL, data: map[string]string{"identity": key, "known_hosts": otherHosts},
			wantErr: "'known_hosts' has no key for host [git.example.com]:2222"},
		{name: "invalid identity", url: sshURL, data: map[string]string{"identity": "not-a-key-value", "known_hosts": hosts},
			wantErr: "'identity' is not a valid private key"},
		{name: "encrypted identity without password", url: sshURL, data: map[string]string{"identity": encKey, "known_hosts": hosts},
			wantErr: "'identity' is encrypted: add its passphrase under the 'password' key"},
		{name: "encrypted identity with wrong password", url: sshURL,
			data:    map[string]string{"identity": encKey, "known_hosts": hosts, "password": "wrong-passphrase"},
			wantErr: "wrong 'password'"},
		{name: "unsupported scheme", url: "ftp://h/r.git", data: nil, wantErr: "URL scheme \"ftp\" is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := map[string][]byte{}
			for k, v := range tt.data {
				data[k] = []byte(v)
			}
			a, err := AuthFromSecret(tt.url, data)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("AuthFromSecret: %v", err)
				}
				if tt.check != nil {
					tt.check(t, a)
				}
				return
			}
			if !errors.Is(err, ErrInvalidAuth) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want ErrInvalidAuth containing %q", err, tt.wantErr)
			}
			for _, v := range tt.data {
				assertNoSecrets(t, err.Error(), v, strings.Split(v, "\n")[0])
			}
		})
	}
}

func TestAuthStringHidesSecrets(t *testing.T) {
	key, _ := testSSHKeys(t, "x")
	for _, data := range []map[string][]byte{
		{"username": []byte("alice"), "password": []byte("hunter2-secret")},
		{"bearerToken": []byte("token-secret")},
	} {
		a, err := AuthFromSecret("https://h/r.git", data)
		if err != nil {
			t.Fatal(err)
		}
		a, err = a.WithProxy("http://proxy:3128", "proxyuser", "proxy-secret")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{a.String(), fmt.Sprint(a), fmt.Sprintf("%v %+v %#v %s", *a, *a, a, a)} {
			assertNoSecrets(t, s, "hunter2-secret", "token-secret", "proxy-secret")
		}
	}
	a, err := AuthFromSecret(sshURL, map[string][]byte{"identity": []byte(key), "known_hosts": []byte(testKnownHosts(t, "[git.example.com]:2222"))})
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprintf("%v %+v", a, *a); strings.Contains(s, "PRIVATE") || !strings.Contains(s, "SHA256:") {
		t.Errorf("ssh auth prints %q, want the key fingerprint only", s)
	}
}

func TestWithProxy(t *testing.T) {
	tests := []struct {
		address, user, pass string
		wantErr             string
	}{
		{"http://proxy:3128", "", "", ""},
		{"socks5://proxy:1080", "u", "p", ""},
		{"", "", "", "proxy secret has no 'address'"},
		{"proxy:3128", "", "", "proxy 'address' is not a URL"},
		{"http://u:secret-in-url@proxy:3128", "", "", "must not contain credentials"},
		{"http://proxy:3128", "", "lonely-secret", "'password' but no 'username'"},
	}
	for _, tt := range tests {
		a, err := (*Auth)(nil).WithProxy(tt.address, tt.user, tt.pass)
		if tt.wantErr == "" {
			if err != nil || a.Proxy.URL != tt.address || a.Proxy.Username != tt.user || a.Proxy.Password != tt.pass {
				t.Errorf("WithProxy(%q) = %+v, %v", tt.address, a, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidAuth) || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("WithProxy(%q): error = %v, want %q", tt.address, err, tt.wantErr)
		} else {
			assertNoSecrets(t, err.Error(), "secret-in-url", "lonely-secret")
		}
	}
}

// testSSHKeys returns an OpenSSH private key, plain and encrypted.
func testSSHKeys(t *testing.T, passphrase string) (plain, encrypted string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	e, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(b)), string(pem.EncodeToMemory(e))
}

// testKnownHosts returns a known_hosts line for host with a fresh key.
func testKnownHosts(t *testing.T, host string) string {
	t.Helper()
	s, _ := testkit.NewSSHKey(t)
	return knownhosts.Line([]string{host}, s.PublicKey()) + "\n"
}
