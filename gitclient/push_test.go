package gitclient

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/tidegitops/tide/testkit"
	"golang.org/x/crypto/ssh"
)

// writeChange returns a Change that sets file to content, and reports nothing
// changed when it already holds it.
func writeChange(file, content string) func(string) (string, []string, error) {
	return func(dir string) (string, []string, error) {
		p := filepath.Join(dir, file)
		if old, err := os.ReadFile(p); err == nil && string(old) == content {
			return "", nil, nil
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return "", nil, err
		}
		return "update " + file, []string{file}, nil
	}
}

// remoteCommit reads a branch's tip from the server's bare repository.
func remoteCommit(t *testing.T, srv *testkit.GitServer, repo, branch string) *object.Commit {
	t.Helper()
	r, err := gogit.PlainOpen(srv.RepoDir(repo))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := r.Reference(plumbing.NewBranchReferenceName(branch), true)
	if err != nil {
		t.Fatalf("branch %s on the server: %v", branch, err)
	}
	c, err := r.CommitObject(ref.Hash())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fileAt(t *testing.T, c *object.Commit, name string) string {
	t.Helper()
	f, err := c.File(name)
	if err != nil {
		t.Fatalf("%s in %s: %v", name, c.Hash, err)
	}
	s, err := f.Contents()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var bot = Person{Name: "Tide Bot", Email: "bot@tide.invalid"}

func TestUpdatePushesToTheCheckoutBranch(t *testing.T) {
	srv := testkit.StartGitServer(t, testkit.WithBasicAuth("alice", "s3cret"))
	base := srv.NewRepo(t, "app").Write("app.yaml", "v1").Commit("one")
	auth, err := AuthFromSecret(srv.HTTPURL("app"), map[string][]byte{"username": []byte("alice"), "password": []byte("s3cret")})
	if err != nil {
		t.Fatal(err)
	}
	opts := UpdateOptions{URL: srv.HTTPURL("app"), Auth: auth, Checkout: Ref{Branch: "master"},
		Author: bot, Change: writeChange("app.yaml", "v2")}
	res, err := Update(context.Background(), t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	tip := remoteCommit(t, srv, "app", "master")
	if res.Commit == "" || tip.Hash.String() != res.Commit || res.Base.Hash != base {
		t.Fatalf("result %+v, server at %s", res, tip.Hash)
	}
	if tip.Author.Name != bot.Name || tip.Author.Email != bot.Email || tip.Committer.Email != bot.Email || tip.Message != "update app.yaml" {
		t.Errorf("commit %+v", tip)
	}
	if len(tip.ParentHashes) != 1 || tip.ParentHashes[0].String() != base || fileAt(t, tip, "app.yaml") != "v2" {
		t.Errorf("commit not on top of %s with the change", base)
	}

	// Nothing to change: no commit, nothing pushed.
	res, err = Update(context.Background(), t.TempDir(), opts)
	if err != nil || res.Commit != "" {
		t.Fatalf("second run: %+v, %v", res, err)
	}
	if now := remoteCommit(t, srv, "app", "master"); now.Hash != tip.Hash {
		t.Errorf("a run with nothing to change pushed %s", now.Hash)
	}

	// Wrong credentials: an auth error, nothing pushed.
	bad, _ := AuthFromSecret(srv.HTTPURL("app"), map[string][]byte{"username": []byte("alice"), "password": []byte("wr0ng")})
	opts.Auth, opts.Change = bad, writeChange("app.yaml", "v3")
	_, err = Update(context.Background(), t.TempDir(), opts)
	if !errors.Is(err, ErrAuthFailed) {
		t.Fatalf("err = %v, want ErrAuthFailed", err)
	}
	assertNoSecrets(t, err.Error(), "wr0ng", "s3cret")
}

func TestUpdateRetriesALostRaceWithoutForcing(t *testing.T) {
	srv := testkit.StartGitServer(t)
	upstream := srv.NewRepo(t, "app").Write("app.yaml", "v1").Write("other.txt", "a")
	upstream.Commit("one")
	runs := 0
	var theirs string
	change := func(dir string) (string, []string, error) {
		runs++
		if runs == 1 { // someone pushes while the update is being made
			theirs = upstream.Write("other.txt", "b").Commit("someone else")
		}
		return writeChange("app.yaml", "v2")(dir)
	}
	res, err := Update(context.Background(), t.TempDir(), UpdateOptions{URL: srv.HTTPURL("app"),
		Checkout: Ref{Branch: "master"}, Author: bot, Change: change})
	if err != nil {
		t.Fatal(err)
	}
	if res.Attempts != 2 || runs != 2 {
		t.Errorf("attempts %d, runs %d, want 2", res.Attempts, runs)
	}
	tip := remoteCommit(t, srv, "app", "master")
	if tip.Hash.String() != res.Commit || tip.ParentHashes[0].String() != theirs {
		t.Fatalf("pushed %s on %v, want on top of their commit %s", tip.Hash, tip.ParentHashes, theirs)
	}
	if fileAt(t, tip, "other.txt") != "b" || fileAt(t, tip, "app.yaml") != "v2" {
		t.Errorf("their change or ours is lost")
	}

	// A branch that moves on every attempt: give up, without forcing.
	other := srv.NewRepo(t, "busy").Write("other.txt", "a")
	other.Commit("one")
	runs = 0
	always := func(dir string) (string, []string, error) {
		runs++
		other.Write("other.txt", strings.Repeat("c", runs)).Commit("again")
		return writeChange("app.yaml", "v3")(dir)
	}
	_, err = Update(context.Background(), t.TempDir(), UpdateOptions{URL: srv.HTTPURL("busy"),
		Checkout: Ref{Branch: "master"}, Author: bot, Change: always, Attempts: 2})
	if !errors.Is(err, ErrLostRace) {
		t.Fatalf("err = %v, want ErrLostRace", err)
	}
	if tip := remoteCommit(t, srv, "busy", "master"); tip.Message != "again" || runs != 2 {
		t.Errorf("the branch was overwritten: tip %q", tip.Message)
	}
}

func TestUpdatePushBranchAndRefspec(t *testing.T) {
	srv := testkit.StartGitServer(t)
	srv.NewRepo(t, "app").Write("app.yaml", "v1").Commit("one")
	opts := UpdateOptions{URL: srv.HTTPURL("app"), Checkout: Ref{Branch: "master"}, Branch: "auto",
		Refspecs: []string{"refs/heads/auto:refs/heads/mirror"}, Author: bot, Change: writeChange("app.yaml", "v2")}
	first, err := Update(context.Background(), t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if tip := remoteCommit(t, srv, "app", "master"); tip.Message != "one" {
		t.Errorf("master moved: %q", tip.Message)
	}
	auto := remoteCommit(t, srv, "app", "auto")
	if auto.Hash.String() != first.Commit || fileAt(t, auto, "app.yaml") != "v2" {
		t.Errorf("auto not created from master with the change")
	}
	if mirror := remoteCommit(t, srv, "app", "mirror"); mirror.Hash != auto.Hash {
		t.Errorf("refspec not pushed: mirror at %s", mirror.Hash)
	}

	// The branch exists: the next change goes on top of it.
	opts.Change = writeChange("more.yaml", "x")
	second, err := Update(context.Background(), t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	tip := remoteCommit(t, srv, "app", "auto")
	if tip.Hash.String() != second.Commit || tip.ParentHashes[0].String() != first.Commit {
		t.Errorf("second commit not on top of the first")
	}

	for _, bad := range []string{"+refs/heads/auto:refs/heads/x", ":refs/heads/x"} {
		opts.Refspecs = []string{bad}
		if _, err := Update(context.Background(), t.TempDir(), opts); !errors.Is(err, ErrPushRejected) {
			t.Errorf("refspec %q: err = %v, want ErrPushRejected", bad, err)
		}
	}
}

func TestUpdateOverSSH(t *testing.T) {
	srv := testkit.StartGitServer(t, testkit.WithSSH())
	srv.NewRepo(t, "app").Write("app.yaml", "v1").Commit("one")
	auth, err := AuthFromSecret(srv.SSHURL("app"), map[string][]byte{"identity": srv.ClientKey(), "known_hosts": srv.KnownHosts()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := Update(ctx, t.TempDir(), UpdateOptions{URL: srv.SSHURL("app"), Auth: auth,
		Checkout: Ref{Branch: "master"}, Author: bot, Change: writeChange("app.yaml", "v2")})
	if err != nil {
		t.Fatal(err)
	}
	if tip := remoteCommit(t, srv, "app", "master"); tip.Hash.String() != res.Commit {
		t.Errorf("not pushed over SSH")
	}
}

func TestUpdateSignsCommits(t *testing.T) {
	srv := testkit.StartGitServer(t)
	srv.NewRepo(t, "app").Write("app.yaml", "v1").Commit("one")
	entity, public := testkit.NewPGPKey(t, "bot")
	var private bytes.Buffer
	w, _ := armor.Encode(&private, openpgp.PrivateKeyType, nil)
	if err := entity.SerializePrivate(w, nil); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	sshKey, _ := testSSHKeys(t, "pass")
	sshSigner, err := ssh.ParsePrivateKey([]byte(sshKey))
	if err != nil {
		t.Fatal(err)
	}
	authorized := ssh.MarshalAuthorizedKey(sshSigner.PublicKey())

	for _, tt := range []struct {
		kind    string
		secret  map[string][]byte
		trusted map[string][]byte
	}{
		{"gpg", map[string][]byte{"git.asc": private.Bytes()}, map[string][]byte{"bot.asc": public}},
		{"ssh", map[string][]byte{"identity": []byte(sshKey)}, map[string][]byte{"bot.sshpub": authorized}},
	} {
		t.Run(tt.kind, func(t *testing.T) {
			signer, err := SignerFromSecret(tt.kind, tt.secret)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Update(context.Background(), t.TempDir(), UpdateOptions{URL: srv.HTTPURL("app"),
				Checkout: Ref{Branch: "master"}, Author: bot, Signer: signer, Change: writeChange("app.yaml", "signed-"+tt.kind)})
			if err != nil {
				t.Fatal(err)
			}
			c, err := Checkout(context.Background(), srv.HTTPURL("app"), nil, Ref{Branch: "master"}, t.TempDir(), CheckoutOptions{})
			if err != nil || c.Hash != res.Commit {
				t.Fatalf("checkout %v %v", c, err)
			}
			if _, err := VerifyCommit(c, tt.trusted); err != nil {
				t.Errorf("the pushed commit does not verify: %v", err)
			}
		})
	}
}

func TestSignerFromSecretErrors(t *testing.T) {
	entity, _ := testkit.NewPGPKey(t, "bot")
	var locked bytes.Buffer
	if err := entity.PrivateKey.Encrypt([]byte("right")); err != nil {
		t.Fatal(err)
	}
	w, _ := armor.Encode(&locked, openpgp.PrivateKeyType, nil)
	if err := entity.SerializePrivateWithoutSigning(w, nil); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	for _, tt := range []struct {
		name, kind string
		data       map[string][]byte
		hint       string
	}{
		{"no git.asc", "gpg", map[string][]byte{}, "'git.asc'"},
		{"not armored", "gpg", map[string][]byte{"git.asc": []byte("nope")}, "not an armored"},
		{"no passphrase", "gpg", map[string][]byte{"git.asc": locked.Bytes()}, "'passphrase'"},
		{"wrong passphrase", "gpg", map[string][]byte{"git.asc": locked.Bytes(), "passphrase": []byte("wr0ng-pass")}, "does not decrypt"},
		{"no identity", "ssh", map[string][]byte{}, "'identity'"},
		{"not openssh", "ssh", map[string][]byte{"identity": []byte("-----BEGIN RSA PRIVATE KEY-----")}, "OpenSSH"},
		{"unknown type", "x509", nil, "gpg or ssh"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SignerFromSecret(tt.kind, tt.data)
			if !errors.Is(err, ErrSigningKey) || !strings.Contains(err.Error(), tt.hint) {
				t.Fatalf("err = %v, want ErrSigningKey with %q", err, tt.hint)
			}
			assertNoSecrets(t, err.Error(), "wr0ng-pass")
		})
	}
	entity.PrivateKey.Encrypted = true
	if _, err := SignerFromSecret("gpg", map[string][]byte{"git.asc": locked.Bytes(), "passphrase": []byte("right\n")}); err != nil {
		t.Errorf("right passphrase: %v", err)
	}
}
