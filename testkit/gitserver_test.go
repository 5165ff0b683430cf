package testkit

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"github.com/go-git/go-git/v5/storage/memory"
	"golang.org/x/crypto/ssh/knownhosts"
)

func TestGitServerAuth(t *testing.T) {
	srv := StartGitServer(t, WithBasicAuth("alice", "s3cret"), WithBearerToken("t0ken"), WithSSH())
	repo := srv.NewRepo(t, "fleet")
	head := repo.Write("apps/cm.yaml", "kind: ConfigMap\n").Commit("first")

	tests := []struct {
		name    string
		url     string
		auth    func(t *testing.T) transport.AuthMethod
		wantErr error
	}{
		{"basic auth", srv.HTTPURL("fleet"), func(*testing.T) transport.AuthMethod {
			return &githttp.BasicAuth{Username: "alice", Password: "s3cret"}
		}, nil},
		{"bearer token", srv.HTTPURL("fleet"), func(*testing.T) transport.AuthMethod {
			return &githttp.TokenAuth{Token: "t0ken"}
		}, nil},
		{"wrong password", srv.HTTPURL("fleet"), func(*testing.T) transport.AuthMethod {
			return &githttp.BasicAuth{Username: "alice", Password: "wrong"}
		}, transport.ErrAuthenticationRequired},
		{"wrong token", srv.HTTPURL("fleet"), func(*testing.T) transport.AuthMethod {
			return &githttp.TokenAuth{Token: "nope"}
		}, transport.ErrAuthenticationRequired},
		{"no credentials", srv.HTTPURL("fleet"), func(*testing.T) transport.AuthMethod {
			return nil
		}, transport.ErrAuthenticationRequired},
		{"ssh key checked against known_hosts", srv.SSHURL("fleet"), func(t *testing.T) transport.AuthMethod {
			return sshAuth(t, srv.ClientKey(), srv.KnownHosts())
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clone, err := gogit.Clone(memory.NewStorage(), nil, &gogit.CloneOptions{URL: tt.url, Auth: tt.auth(t)})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("clone error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("clone: %v", err)
			}
			ref, err := clone.Head()
			if err != nil || ref.Hash().String() != head {
				t.Fatalf("cloned HEAD = %v (%v), want %s", ref, err, head)
			}
		})
	}
}

func TestGitServerRefsAndCounting(t *testing.T) {
	srv := StartGitServer(t)
	repo := srv.NewRepo(t, "app")
	first := repo.Write("a.txt", "1").Commit("one")
	repo.Tag("v1.0.0")
	repo.Branch("dev")
	second := repo.Write("a.txt", "2").Commit("two")
	repo.AnnotatedTag("v1.1.0", "release 1.1.0")

	remote := gogit.NewRemote(memory.NewStorage(), &config.RemoteConfig{Name: "origin", URLs: []string{srv.HTTPURL("app")}})
	refs, err := remote.List(&gogit.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[plumbing.ReferenceName]string{}
	for _, ref := range refs {
		got[ref.Name()] = ref.Hash().String()
	}
	for name, want := range map[plumbing.ReferenceName]string{
		"refs/heads/master": first,
		"refs/heads/dev":    second,
		"refs/tags/v1.0.0":  first,
	} {
		if got[name] != want {
			t.Errorf("%s = %q, want %q", name, got[name], want)
		}
	}
	if _, ok := got["refs/tags/v1.1.0"]; !ok {
		t.Errorf("annotated tag v1.1.0 not advertised; refs: %v", got)
	}
	if srv.RefAdvertisements() != 1 || srv.UploadPacks() != 0 {
		t.Errorf("after listing refs: %d advertisements and %d upload-packs, want 1 and 0",
			srv.RefAdvertisements(), srv.UploadPacks())
	}

	if _, err := gogit.Clone(memory.NewStorage(), nil, &gogit.CloneOptions{URL: srv.HTTPURL("app")}); err != nil {
		t.Fatal(err)
	}
	if srv.UploadPacks() != 1 {
		t.Errorf("after one clone: %d upload-packs, want 1", srv.UploadPacks())
	}
}

func sshAuth(t *testing.T, key, knownHostsLine []byte) transport.AuthMethod {
	t.Helper()
	auth, err := gitssh.NewPublicKeys("git", key, "")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(path, knownHostsLine, 0o600); err != nil {
		t.Fatal(err)
	}
	callback, err := knownhosts.New(path)
	if err != nil {
		t.Fatal(err)
	}
	auth.HostKeyCallback = callback
	return auth
}
