package testkit

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fluxcd/gitkit"
	"github.com/fluxcd/pkg/gittestserver"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// GitServer is an in-process Git server over smart HTTP and, optionally,
// SSH. It serves bare repositories from a temporary folder.
type GitServer struct {
	srv      *gittestserver.GitServer
	username string
	password string
	token    string
	ssh      bool

	clientKey  []byte // OpenSSH private key the SSH side accepts
	refAdverts atomic.Int64
	uploadPack atomic.Int64
}

// GitServerOption configures a GitServer.
type GitServerOption func(*GitServer)

// WithBasicAuth requires HTTP basic auth with these credentials (and a
// known client key over SSH).
func WithBasicAuth(username, password string) GitServerOption {
	return func(s *GitServer) { s.username, s.password = username, password }
}

// WithBearerToken requires `Authorization: Bearer <token>` over HTTP.
func WithBearerToken(token string) GitServerOption {
	return func(s *GitServer) { s.token = token }
}

// WithSSH also serves the repositories over SSH, with a fresh host key.
func WithSSH() GitServerOption {
	return func(s *GitServer) { s.ssh = true }
}

// StartGitServer starts a Git server for one test and stops it when the
// test ends.
func StartGitServer(t testing.TB, opts ...GitServerOption) *GitServer {
	t.Helper()
	s := &GitServer{}
	for _, o := range opts {
		o(s)
	}
	root := t.TempDir()
	s.srv = gittestserver.NewGitServer(filepath.Join(root, "repos")).KeyDir(filepath.Join(root, "keys"))
	s.srv.AddHTTPMiddlewares(s.countRequests)
	switch {
	case s.token != "" && s.username == "":
		// gitkit only knows basic auth: give it credentials no client is told,
		// and let the bearer middleware translate a valid token into them.
		s.username, s.password = "bearer", randomString(t)
		s.srv.Auth(s.username, s.password)
		s.srv.AddHTTPMiddlewares(s.bearerToBasic)
	case s.username != "":
		s.srv.Auth(s.username, s.password)
		if s.token != "" {
			s.srv.AddHTTPMiddlewares(s.bearerToBasic)
		}
	}
	if err := s.srv.StartHTTP(); err != nil {
		t.Fatalf("start git http server: %v", err)
	}
	t.Cleanup(s.srv.StopHTTP)
	if s.ssh {
		s.startSSH(t)
	}
	return s
}

func (s *GitServer) startSSH(t testing.TB) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "tide test client")
	if err != nil {
		t.Fatal(err)
	}
	s.clientKey = pem.EncodeToMemory(block)
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	allowSSHKey(sshPub)
	// The lookup function is global in gittestserver; ours accepts every key
	// that some live test server handed out, and nothing else.
	s.srv.PublicKeyLookupFunc(lookupSSHKey)
	if err := s.srv.ListenSSH(); err != nil {
		t.Fatalf("listen ssh: %v", err)
	}
	go func() { _ = s.srv.StartSSH() }()
	t.Cleanup(func() { _ = s.srv.StopSSH() })
}

// HTTPURL is the plain URL of a repository, with no credentials in it.
func (s *GitServer) HTTPURL(repo string) string {
	return s.srv.HTTPAddress() + "/" + repo + ".git"
}

// SSHURL is the ssh:// URL of a repository.
func (s *GitServer) SSHURL(repo string) string {
	return s.srv.SSHAddress() + "/" + repo + ".git"
}

// Credentials returns the basic-auth user and password the server accepts.
func (s *GitServer) Credentials() (username, password string) {
	return s.username, s.password
}

// ClientKey is an OpenSSH private key the SSH side accepts.
func (s *GitServer) ClientKey() []byte {
	return s.clientKey
}

// KnownHosts is a known_hosts line for the SSH side's host key.
func (s *GitServer) KnownHosts() []byte {
	pubBytes, err := os.ReadFile(filepath.Join(s.srv.Root(), "..", "keys", "gitkit.rsa.pub"))
	if err != nil {
		panic(fmt.Sprintf("testkit: read ssh host key: %v", err))
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(pubBytes)
	if err != nil {
		panic(fmt.Sprintf("testkit: parse ssh host key: %v", err))
	}
	host := strings.TrimPrefix(s.srv.SSHAddress(), "ssh://git@")
	return []byte(knownhosts.Line([]string{knownhosts.Normalize(host)}, pub) + "\n")
}

// RefAdvertisements counts GET .../info/refs requests over HTTP: how many
// times a client asked for the remote's refs.
func (s *GitServer) RefAdvertisements() int64 { return s.refAdverts.Load() }

// UploadPacks counts POST .../git-upload-pack requests over HTTP: how many
// fetches or clones negotiated and transferred a pack.
func (s *GitServer) UploadPacks() int64 { return s.uploadPack.Load() }

func (s *GitServer) countRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/info/refs"):
			s.refAdverts.Add(1)
		case strings.HasSuffix(r.URL.Path, "/git-upload-pack"):
			s.uploadPack.Add(1)
		}
		next.ServeHTTP(w, r)
	})
}

func (s *GitServer) bearerToBasic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			r.Header.Del("Authorization")
			if got == s.token {
				r.SetBasicAuth(s.username, s.password)
			}
		}
		next.ServeHTTP(w, r)
	})
}

var (
	sshKeysMu sync.Mutex
	sshKeys   = map[string]bool{}
)

func allowSSHKey(key ssh.PublicKey) {
	sshKeysMu.Lock()
	defer sshKeysMu.Unlock()
	sshKeys[strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))] = true
}

func lookupSSHKey(content string) (*gitkit.PublicKey, error) {
	sshKeysMu.Lock()
	defer sshKeysMu.Unlock()
	if !sshKeys[content] {
		return nil, fmt.Errorf("unknown public key")
	}
	return &gitkit.PublicKey{Id: "tide-test"}, nil
}

func randomString(t testing.TB) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", b)
}

// freePort is used by tests that need an address where nothing listens.
func freePort(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// UnreachableURL returns an http URL on a loopback port where nothing
// listens, for tests of unreachable remotes.
func UnreachableURL(t testing.TB) string {
	return "http://" + freePort(t) + "/nothing.git"
}

// RepoDir is the folder of a bare repository on disk, for tools that serve
// or read it by path.
func (s *GitServer) RepoDir(repo string) string {
	return filepath.Join(s.srv.Root(), repo+".git")
}
