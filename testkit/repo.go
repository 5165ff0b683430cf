package testkit

import (
	"bytes"
	"errors"
	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
)

// Repo is a repository on a GitServer and an in-memory working copy that
// tests change, commit and push. Every method pushes what it makes, so the
// server always has it.
type Repo struct {
	t    testing.TB
	git  *gogit.Repository
	tree *gogit.Worktree
	now  time.Time
}

// NewRepo creates an empty bare repository named name on the server. Its
// first commit goes to branch 'master', Git's (and Flux's) default.
func (s *GitServer) NewRepo(t testing.TB, name string) *Repo {
	t.Helper()
	bare := filepath.Join(s.srv.Root(), name+".git")
	if _, err := gogit.PlainInit(bare, true); err != nil {
		t.Fatalf("init bare repo %s: %v", name, err)
	}
	repo, err := gogit.Init(memory.NewStorage(), memfs.New())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.CreateRemote(&config.RemoteConfig{
		Name: gogit.DefaultRemoteName,
		URLs: []string{"file://" + bare},
	}); err != nil {
		t.Fatal(err)
	}
	tree, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	// Commit times advance by a second per commit, so that commits made in
	// the same second still order by time as they do by history.
	return &Repo{t: t, git: repo, tree: tree, now: time.Now().Truncate(time.Second)}
}

// Write sets a file's content in the working copy (creating folders).
func (r *Repo) Write(path, content string) *Repo {
	r.t.Helper()
	if err := util.WriteFile(r.tree.Filesystem, path, []byte(content), 0o644); err != nil {
		r.t.Fatalf("write %s: %v", path, err)
	}
	return r
}

// WriteFiles sets several files at once.
func (r *Repo) WriteFiles(files map[string]string) *Repo {
	for path, content := range files {
		r.Write(path, content)
	}
	return r
}

// Symlink makes link a symbolic link to target in the working copy.
func (r *Repo) Symlink(target, link string) *Repo {
	r.t.Helper()
	if err := r.tree.Filesystem.Symlink(target, link); err != nil {
		r.t.Fatalf("symlink %s -> %s: %v", link, target, err)
	}
	return r
}

// Remove deletes a file or folder from the working copy.
func (r *Repo) Remove(path string) *Repo {
	r.t.Helper()
	if err := util.RemoveAll(r.tree.Filesystem, path); err != nil {
		r.t.Fatalf("remove %s: %v", path, err)
	}
	return r
}

// Commit commits every change in the working copy on the current branch,
// pushes it, and returns the commit's hash.
func (r *Repo) Commit(message string) string {
	r.t.Helper()
	return r.CommitSigned(message, nil)
}

// CommitSigned is Commit with an OpenPGP signature made with key (unsigned
// when key is nil).
func (r *Repo) CommitSigned(message string, key *openpgp.Entity) string {
	r.t.Helper()
	if err := r.tree.AddWithOptions(&gogit.AddOptions{All: true}); err != nil {
		r.t.Fatalf("stage changes: %v", err)
	}
	r.now = r.now.Add(time.Second)
	hash, err := r.tree.Commit(message, &gogit.CommitOptions{
		Author:            r.signature(),
		AllowEmptyCommits: true,
		SignKey:           key,
	})
	if err != nil {
		r.t.Fatalf("commit: %v", err)
	}
	r.push()
	return hash.String()
}

// Branch creates a branch at the current commit, switches to it and pushes it.
func (r *Repo) Branch(name string) *Repo {
	r.t.Helper()
	head := r.head()
	if err := r.tree.Checkout(&gogit.CheckoutOptions{
		Hash: head, Branch: plumbing.NewBranchReferenceName(name), Create: true,
	}); err != nil {
		r.t.Fatalf("create branch %s: %v", name, err)
	}
	r.push()
	return r
}

// Checkout switches the working copy to an existing branch.
func (r *Repo) Checkout(name string) *Repo {
	r.t.Helper()
	if err := r.tree.Checkout(&gogit.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(name)}); err != nil {
		r.t.Fatalf("checkout %s: %v", name, err)
	}
	return r
}

// Tag makes a lightweight tag at the current commit and pushes it.
func (r *Repo) Tag(name string) *Repo {
	r.t.Helper()
	if _, err := r.git.CreateTag(name, r.head(), nil); err != nil {
		r.t.Fatalf("tag %s: %v", name, err)
	}
	r.push()
	return r
}

// AnnotatedTag makes an annotated tag at the current commit and pushes it.
func (r *Repo) AnnotatedTag(name, message string) *Repo {
	r.t.Helper()
	r.now = r.now.Add(time.Second)
	if _, err := r.git.CreateTag(name, r.head(), &gogit.CreateTagOptions{
		Tagger: r.signature(), Message: message,
	}); err != nil {
		r.t.Fatalf("tag %s: %v", name, err)
	}
	r.push()
	return r
}

// Head returns the hash of the current commit.
func (r *Repo) Head() string {
	return r.head().String()
}

func (r *Repo) head() plumbing.Hash {
	r.t.Helper()
	ref, err := r.git.Head()
	if err != nil {
		r.t.Fatalf("no commit yet: %v", err)
	}
	return ref.Hash()
}

func (r *Repo) signature() *object.Signature {
	return &object.Signature{Name: "Tide Test", Email: "test@tide.invalid", When: r.now}
}

func (r *Repo) push() {
	r.t.Helper()
	err := r.git.Push(&gogit.PushOptions{
		RefSpecs: []config.RefSpec{"refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*"},
	})
	if err != nil && !errors.Is(err, gogit.NoErrAlreadyUpToDate) {
		r.t.Fatalf("push: %v", err)
	}
}

// NewPGPKey makes an OpenPGP key pair for signing test commits, and returns
// it with its armored public key, as a user stores it in a verify Secret.
func NewPGPKey(t testing.TB, name string) (*openpgp.Entity, []byte) {
	t.Helper()
	// EdDSA: generating it is instant, unlike RSA.
	entity, err := openpgp.NewEntity(name, "test", name+"@tide.invalid", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := entity.Serialize(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return entity, buf.Bytes()
}
