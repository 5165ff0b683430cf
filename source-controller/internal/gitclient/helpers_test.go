package gitclient

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// work is an in-memory clone of a test server repository, for what testkit's
// Repo does not do: signed commits and tags, refs outside heads and tags,
// submodule entries.
type work struct {
	t    *testing.T
	repo *gogit.Repository
	wt   *gogit.Worktree
	now  time.Time
}

func cloneWork(t *testing.T, url string) *work {
	t.Helper()
	repo, err := gogit.Clone(memory.NewStorage(), memfs.New(), &gogit.CloneOptions{URL: url})
	if err != nil {
		t.Fatalf("clone %s: %v", url, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	return &work{t: t, repo: repo, wt: wt, now: time.Now().Add(time.Hour).Truncate(time.Second)}
}

func (w *work) write(path, content string) *work {
	w.t.Helper()
	if err := util.WriteFile(w.wt.Filesystem, path, []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.wt.Add(path); err != nil {
		w.t.Fatal(err)
	}
	return w
}

func (w *work) sig() *object.Signature {
	w.now = w.now.Add(time.Second)
	return &object.Signature{Name: "Signer", Email: "signer@tide.invalid", When: w.now}
}

// commit commits the staged changes, signed with pgp or ssh when not nil.
func (w *work) commit(msg string, pgp *openpgp.Entity, signer gogit.Signer) string {
	w.t.Helper()
	h, err := w.wt.Commit(msg, &gogit.CommitOptions{
		Author: w.sig(), AllowEmptyCommits: true, SignKey: pgp, Signer: signer,
	})
	if err != nil {
		w.t.Fatalf("commit: %v", err)
	}
	return h.String()
}

func (w *work) tag(name, msg string, pgp *openpgp.Entity) {
	w.t.Helper()
	head, err := w.repo.Head()
	if err != nil {
		w.t.Fatal(err)
	}
	var opts *gogit.CreateTagOptions
	if msg != "" {
		opts = &gogit.CreateTagOptions{Tagger: w.sig(), Message: msg, SignKey: pgp}
	}
	if _, err := w.repo.CreateTag(name, head.Hash(), opts); err != nil {
		w.t.Fatal(err)
	}
}

// push pushes refspecs (default: branches and tags) to origin.
func (w *work) push(specs ...config.RefSpec) {
	w.t.Helper()
	if len(specs) == 0 {
		specs = []config.RefSpec{"refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*"}
	}
	err := w.repo.Push(&gogit.PushOptions{RefSpecs: specs})
	if err != nil && !errors.Is(err, gogit.NoErrAlreadyUpToDate) {
		w.t.Fatalf("push: %v", err)
	}
}

// setRef points a local ref at a commit, to push it somewhere unusual.
func (w *work) setRef(name, hash string) {
	w.t.Helper()
	ref := plumbing.NewHashReference(plumbing.ReferenceName(name), plumbing.NewHash(hash))
	if err := w.repo.Storer.SetReference(ref); err != nil {
		w.t.Fatal(err)
	}
}

// sshSigner signs Git objects with an SSH key, as `git -c gpg.format=ssh`.
type sshSigner struct{ ssh.Signer }

func (s sshSigner) Sign(message io.Reader) ([]byte, error) {
	sig, err := sshsig.Sign(message, s.Signer, sshsig.HashSHA512, "git")
	if err != nil {
		return nil, err
	}
	return sshsig.Armor(sig), nil
}

// newSSHKey makes an ed25519 key: a signer and its authorized_keys line.
func newSSHKey(t *testing.T) (ssh.Signer, []byte) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s, ssh.MarshalAuthorizedKey(s.PublicKey())
}

// readTree lists the files of a checkout (outside .git) with their content.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() == ".git" { // a submodule's gitdir link
			return nil
		}
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// commitCount counts the commit objects a checkout holds.
func commitCount(t *testing.T, dir string) int {
	t.Helper()
	repo, err := gogit.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	iter, err := repo.CommitObjects()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	_ = iter.ForEach(func(*object.Commit) error { n++; return nil })
	return n
}

// assertNoSecrets fails if the message contains any of the values.
func assertNoSecrets(t *testing.T, msg string, values ...string) {
	t.Helper()
	for _, v := range values {
		if v != "" && strings.Contains(msg, v) {
			t.Errorf("message leaks a secret value %q: %s", v, msg)
		}
	}
}
