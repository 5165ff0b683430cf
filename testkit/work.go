package testkit

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// Work is an in-memory clone of a repository, for what Repo does not do:
// SSH-signed commits, signed tags, refs outside heads and tags, and
// hand-made tree entries such as submodules. Unlike Repo it stages files
// explicitly and pushes only when asked.
type Work struct {
	t    testing.TB
	Repo *gogit.Repository
	Tree *gogit.Worktree
	now  time.Time
}

// CloneWork clones url into memory.
func CloneWork(t testing.TB, url string) *Work {
	t.Helper()
	repo, err := gogit.Clone(memory.NewStorage(), memfs.New(), &gogit.CloneOptions{URL: url})
	if err != nil {
		t.Fatalf("clone %s: %v", url, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	// Later than any commit a Repo made in the same test, so history and
	// commit times agree.
	return &Work{t: t, Repo: repo, Tree: wt, now: time.Now().Add(time.Hour).Truncate(time.Second)}
}

// Write writes and stages a file.
func (w *Work) Write(path, content string) *Work {
	w.t.Helper()
	if err := util.WriteFile(w.Tree.Filesystem, path, []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.Tree.Add(path); err != nil {
		w.t.Fatal(err)
	}
	return w
}

func (w *Work) signature() *object.Signature {
	w.now = w.now.Add(time.Second)
	return &object.Signature{Name: "Signer", Email: "signer@tide.invalid", When: w.now}
}

// Commit commits the staged changes, signed with pgp or signer when either
// is not nil, and returns the commit's hash.
func (w *Work) Commit(msg string, pgp *openpgp.Entity, signer gogit.Signer) string {
	w.t.Helper()
	h, err := w.Tree.Commit(msg, &gogit.CommitOptions{
		Author: w.signature(), AllowEmptyCommits: true, SignKey: pgp, Signer: signer,
	})
	if err != nil {
		w.t.Fatalf("commit: %v", err)
	}
	return h.String()
}

// Tag tags HEAD: lightweight when msg is empty, else annotated and signed
// with pgp when it is not nil.
func (w *Work) Tag(name, msg string, pgp *openpgp.Entity) {
	w.t.Helper()
	head, err := w.Repo.Head()
	if err != nil {
		w.t.Fatal(err)
	}
	var opts *gogit.CreateTagOptions
	if msg != "" {
		opts = &gogit.CreateTagOptions{Tagger: w.signature(), Message: msg, SignKey: pgp}
	}
	if _, err := w.Repo.CreateTag(name, head.Hash(), opts); err != nil {
		w.t.Fatal(err)
	}
}

// Push pushes refspecs (default: all branches and tags) to origin.
func (w *Work) Push(specs ...config.RefSpec) {
	w.t.Helper()
	if len(specs) == 0 {
		specs = []config.RefSpec{"refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*"}
	}
	err := w.Repo.Push(&gogit.PushOptions{RefSpecs: specs})
	if err != nil && !errors.Is(err, gogit.NoErrAlreadyUpToDate) {
		w.t.Fatalf("push: %v", err)
	}
}

// SetRef points a local ref at a commit, to push it somewhere unusual.
func (w *Work) SetRef(name, hash string) {
	w.t.Helper()
	ref := plumbing.NewHashReference(plumbing.ReferenceName(name), plumbing.NewHash(hash))
	if err := w.Repo.Storer.SetReference(ref); err != nil {
		w.t.Fatal(err)
	}
}

// SSHSigner signs Git objects with an SSH key, as `git -c gpg.format=ssh`.
type SSHSigner struct{ ssh.Signer }

// Sign returns the armored SSH signature of message in the "git" namespace.
func (s SSHSigner) Sign(message io.Reader) ([]byte, error) {
	sig, err := sshsig.Sign(message, s.Signer, sshsig.HashSHA512, "git")
	if err != nil {
		return nil, err
	}
	return sshsig.Armor(sig), nil
}

// NewSSHKey makes an ed25519 key: a signer and its authorized_keys line, as
// a user stores it under a '.sshpub' key of a verify Secret.
func NewSSHKey(t testing.TB) (ssh.Signer, []byte) {
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

// AddSubmodule stages a submodule at path, pinned to commit of the
// repository at url: its .gitmodules entry and its gitlink.
func (w *Work) AddSubmodule(name, path, url, commit string) *Work {
	w.t.Helper()
	w.Write(".gitmodules", "[submodule \""+name+"\"]\n\tpath = "+path+"\n\turl = "+url+"\n")
	idx, err := w.Repo.Storer.Index()
	if err != nil {
		w.t.Fatal(err)
	}
	idx.Entries = append(idx.Entries, &index.Entry{Name: path, Mode: filemode.Submodule, Hash: plumbing.NewHash(commit)})
	if err := w.Repo.Storer.SetIndex(idx); err != nil {
		w.t.Fatal(err)
	}
	return w
}
