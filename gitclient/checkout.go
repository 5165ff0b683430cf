package gitclient

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/go-git/go-billy/v5/osfs"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// CheckoutOptions tune Checkout.
type CheckoutOptions struct {
	// RecurseSubmodules also checks out every submodule, recursively, with
	// the same Auth.
	RecurseSubmodules bool
	// SparseCheckout limits the worktree to these directories (relative to
	// the repository root); empty means everything.
	SparseCheckout []string
	// NoWorktree fetches the commit without writing its files: read them
	// through Commit.Files instead. It cannot be combined with the options
	// above, which shape a worktree.
	NoWorktree bool
}

// Checkout fetches ref from repoURL into dir, a new empty directory, and
// checks out its tree. Branches, tags, semver ranges and ref names are
// fetched shallowly (depth 1); a commit is looked up in the full history of
// its branch, or of all branches and tags when no branch is given. Errors
// wrap ErrRefNotFound, ErrAuthFailed, ErrUnreachable or ErrInvalidAuth.
func Checkout(ctx context.Context, repoURL string, auth *Auth, ref Ref, dir string, opts CheckoutOptions) (*Commit, error) {
	p, err := planFor(ref)
	if err != nil {
		return nil, err
	}
	sparse, err := sparseDirs(opts.SparseCheckout)
	if err != nil {
		return nil, err
	}
	o, err := auth.options(ctx, repoURL)
	if err != nil {
		return nil, err
	}
	if p.kind == kindSemVer {
		res, err := Resolve(ctx, repoURL, auth, ref)
		if err != nil {
			return nil, err
		}
		p = tagPlan(strings.TrimPrefix(res.RefName, "refs/tags/"))
	}
	where, red := RedactURL(repoURL), newRedactor(repoURL, auth)

	repo, store, err := initRepo(dir, opts.NoWorktree)
	if err != nil {
		return nil, fmt.Errorf("cannot create a repository in %s: %w", dir, err)
	}
	closeStore := true
	defer func() {
		if closeStore && store != nil {
			_ = store.Close()
		}
	}()
	if _, err := repo.CreateRemote(&config.RemoteConfig{Name: gogit.DefaultRemoteName, URLs: []string{repoURL}}); err != nil {
		return nil, err
	}
	specs, local, depth := p.fetchSpec()
	err = repo.FetchContext(ctx, &gogit.FetchOptions{
		RemoteName: gogit.DefaultRemoteName, RefSpecs: specs, Depth: depth, Tags: gogit.NoTags,
		Auth: o.method, CABundle: o.caBundle, ClientCert: o.clientCert, ClientKey: o.clientKey, ProxyOptions: o.proxy,
	})
	switch {
	case errors.Is(err, gogit.NoMatchingRefSpecError{}):
		return nil, &gitError{kind: ErrRefNotFound, msg: fmt.Sprintf("%s not found in '%s'", p, where), cause: err}
	case err != nil && !errors.Is(err, gogit.NoErrAlreadyUpToDate):
		return nil, remoteError(err, fmt.Sprintf("cannot fetch %s from '%s'", p, where), red)
	}

	hash, tag, err := p.target(repo, local)
	if err != nil {
		return nil, err
	}
	commit, err := repo.CommitObject(hash)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, &gitError{kind: ErrRefNotFound, msg: fmt.Sprintf("%s not found in '%s'", p, where), cause: err}
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read commit %s: %w", hash, err)
	}
	var refName string
	if p.remote != "" {
		refName = p.remote.String()
	}
	if opts.NoWorktree {
		if opts.RecurseSubmodules || len(sparse) > 0 {
			return nil, errors.New("checkout without a worktree cannot check out submodules or sparsely")
		}
		tree, err := commit.Tree()
		if err != nil {
			return nil, fmt.Errorf("cannot read the tree of %s: %w", hash, err)
		}
		c, err := newCommit(commit, p.revision(hash.String()), refName, tag)
		if err == nil {
			c.Files = newTreeFS(tree, store)
			closeStore = false // the caller closes it with c.Files
		}
		return c, err
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, err
	}
	if err := wt.Checkout(&gogit.CheckoutOptions{Hash: hash, Force: true, SparseCheckoutDirectories: sparse}); err != nil {
		return nil, fmt.Errorf("cannot check out %s: %w", p, err)
	}
	if opts.RecurseSubmodules {
		if err := updateSubmodules(ctx, repo, o, red, sparse, 0); err != nil {
			return nil, err
		}
	}
	return newCommit(commit, p.revision(hash.String()), refName, tag)
}

// fetchSpec returns the refspecs to fetch, the local ref the wanted ref lands
// in (none for a commit alone) and the fetch depth (0: full history).
func (p plan) fetchSpec() ([]config.RefSpec, plumbing.ReferenceName, int) {
	switch {
	case p.kind == kindCommit && p.remote == "":
		return []config.RefSpec{
			"+refs/heads/*:refs/remotes/origin/*",
			"+refs/tags/*:refs/tags/*",
		}, "", 0
	case p.remote.IsBranch():
		local := plumbing.NewRemoteReferenceName(gogit.DefaultRemoteName, p.remote.Short())
		depth := 1
		if p.kind == kindCommit {
			depth = 0
		}
		return []config.RefSpec{config.RefSpec("+" + p.remote.String() + ":" + local.String())}, local, depth
	case strings.HasPrefix(p.remote.String(), "refs/"):
		return []config.RefSpec{config.RefSpec("+" + p.remote.String() + ":" + p.remote.String())}, p.remote, 1
	default: // e.g. HEAD
		local := plumbing.NewRemoteReferenceName(gogit.DefaultRemoteName, p.remote.String())
		return []config.RefSpec{config.RefSpec("+" + p.remote.String() + ":" + local.String())}, local, 1
	}
}

// target returns the commit to check out and, when the ref is an annotated
// tag, the tag object.
func (p plan) target(repo *gogit.Repository, local plumbing.ReferenceName) (plumbing.Hash, *object.Tag, error) {
	if p.kind == kindCommit {
		return plumbing.NewHash(p.commit), nil, nil
	}
	ref, err := repo.Reference(local, true)
	if err != nil {
		return plumbing.ZeroHash, nil, fmt.Errorf("fetched %s but cannot read it: %w", p, err)
	}
	hash := ref.Hash()
	var first *object.Tag
	for range 10 { // tags of tags of ... commits
		t, err := repo.TagObject(hash)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return hash, first, nil
		}
		if err != nil {
			return plumbing.ZeroHash, nil, fmt.Errorf("cannot read tag of %s: %w", p, err)
		}
		if first == nil {
			first = t
		}
		if t.TargetType != plumbing.CommitObject && t.TargetType != plumbing.TagObject {
			return plumbing.ZeroHash, nil, newError(ErrRefNotFound, "%s points to a %s, not a commit", p, t.TargetType)
		}
		hash = t.Target
	}
	return plumbing.ZeroHash, nil, newError(ErrRefNotFound, "%s is a chain of too many tags", p)
}

// sparseDirs cleans the sparse checkout directories into the "dir/" prefixes
// go-git matches against.
func sparseDirs(dirs []string) ([]string, error) {
	var out []string
	for _, d := range dirs {
		if slices.Contains(strings.Split(d, "/"), "..") {
			return nil, fmt.Errorf("sparse checkout directory %q must not contain '..'", d)
		}
		c := path.Clean("/" + strings.TrimSpace(d))
		if c == "/" {
			return nil, nil // the whole tree
		}
		out = append(out, strings.TrimPrefix(c, "/")+"/")
	}
	return out, nil
}

// initRepo creates the local repository. Without a worktree it is a bare
// object store that keeps its pack file open: reading a whole tree from it
// would otherwise open and close the pack once per object.
func initRepo(dir string, noWorktree bool) (*gogit.Repository, *filesystem.Storage, error) {
	if !noWorktree {
		repo, err := gogit.PlainInit(dir, false)
		return repo, nil, err
	}
	store := filesystem.NewStorageWithOptions(osfs.New(dir), cache.NewObjectLRU(objectCacheSize),
		filesystem.Options{KeepDescriptors: true})
	repo, err := gogit.Init(store, nil)
	return repo, store, err
}

// objectCacheSize bounds the decoded objects go-git keeps while a tree is
// read without a worktree. TreeFS keeps the directories it decodes, and each
// blob is read once, so the cache mostly holds delta bases that neighbouring
// blobs share. On 10,000 files in delta chains up to 39 deep (what git's
// default repack writes), 1 MiB was as fast as the 4 MiB used before and
// peaked lower; 64 KiB took 2.3 times as long, evicting bases before the
// next blob of the chain needed them. (go-git's own default is 96 MiB.)
const objectCacheSize = 1 * cache.MiByte
