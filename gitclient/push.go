package gitclient

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// ErrPushRejected: the server refused the push (a protected branch, a hook,
// no write access) for a reason other than a branch that moved meanwhile.
var ErrPushRejected = errors.New("push rejected")

// ErrLostRace: the push branch kept moving while the change was being made,
// for every attempt UpdateOptions allowed.
var ErrLostRace = errors.New("push branch kept moving")

// UpdateOptions say where a change starts, what it is, and where it goes.
type UpdateOptions struct {
	// URL and Auth reach the repository, for the clone and the push.
	URL  string
	Auth *Auth
	// Checkout is where the change starts from, usually a branch.
	Checkout Ref
	// Branch is the branch pushed to. Empty means Checkout's branch. When it
	// differs and already exists on the remote, the change is made on top of
	// it (never resetting it, so it is never force-pushed); when it does not
	// exist it is created from Checkout.
	Branch string
	// Refspecs are pushed as well, e.g. "refs/heads/main:refs/for/main".
	// Forced ("+...") and deleting (":dst") refspecs are refused.
	Refspecs []string
	// PushOptions are sent to the server (git push -o key=value).
	PushOptions map[string]string
	// Author makes the commit, as author and committer.
	Author Person
	// Signer, when set, signs the commit.
	Signer *Signer
	// Change makes the change in the worktree at dir. It returns the commit
	// message and the changed files (slash paths relative to dir); an empty
	// message means nothing changed and nothing is committed. It runs again,
	// on a fresh clone, after each lost race.
	Change func(dir string) (message string, paths []string, err error)
	// ChangeFiles, when set, is used instead of Change: it reads the files
	// of the commit from Git's object store (no worktree is written, which
	// for a large repository is most of the time a clone takes) and returns
	// the commit message and the new content of each changed file, by slash
	// path from the repository root. It may change existing regular files
	// only. An empty message means nothing changed.
	ChangeFiles func(files fs.FS) (message string, changed map[string][]byte, err error)
	// Attempts bounds the runs of Change; 0 means 5.
	Attempts int
}

// UpdateResult is what Update did.
type UpdateResult struct {
	// Base is the commit the (last) change was made on.
	Base *Commit
	// Branch is the branch pushed to.
	Branch string
	// Commit is the hash of the pushed commit; "" when nothing changed.
	Commit string
	// Attempts is how many times Change ran.
	Attempts int
}

// Update clones, changes, commits and pushes, in dir (a new, empty
// directory). A push that loses a race (the branch moved after the clone) is
// not forced: the branch is fetched again, Change re-applied on top of it and
// the push retried. Errors wrap ErrRefNotFound, ErrAuthFailed, ErrUnreachable,
// ErrPushRejected, ErrLostRace or an error of Change.
func Update(ctx context.Context, dir string, opts UpdateOptions) (UpdateResult, error) {
	branch := opts.Branch
	if branch == "" {
		branch = opts.Checkout.Branch
	}
	if branch == "" {
		return UpdateResult{}, newError(ErrRefNotFound, "no branch to push to: set a push branch, or check out a branch")
	}
	specs, err := pushRefSpecs(branch, opts.Refspecs)
	if err != nil {
		return UpdateResult{}, err
	}
	attempts := opts.Attempts
	if attempts <= 0 {
		attempts = 5
	}
	for n := 1; ; n++ {
		run := attempt
		if opts.ChangeFiles != nil {
			run = attemptFiles
		}
		res, start, err := run(ctx, filepath.Join(dir, fmt.Sprint(n)), branch, specs, opts)
		res.Attempts = n
		if err == nil || start == nil {
			return res, err
		}
		moved, lerr := branchMoved(ctx, opts, branch, *start)
		if lerr != nil || !moved {
			return res, err
		}
		if n >= attempts {
			return res, &gitError{kind: ErrLostRace, msg: fmt.Sprintf(
				"branch '%s' moved during each of %d attempts to push to it; will try again next run", branch, n), cause: err}
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
	}
}

// attempt makes one clone, change, commit and push. On a push error it also
// returns the hash the push branch was built on, to tell a lost race.
func attempt(ctx context.Context, dir, branch string, specs []config.RefSpec, opts UpdateOptions) (UpdateResult, *plumbing.Hash, error) {
	res := UpdateResult{Branch: branch}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return res, nil, err
	}
	base, err := Checkout(ctx, opts.URL, opts.Auth, opts.Checkout, dir, CheckoutOptions{})
	if err != nil {
		return res, nil, err
	}
	res.Base = base
	repo, err := gogit.PlainOpen(dir)
	if err != nil {
		return res, nil, err
	}
	start, newBranch, err := startOf(ctx, repo, branch, opts, base)
	if err != nil {
		return res, nil, err
	}
	wt, err := repo.Worktree()
	if err != nil {
		return res, nil, err
	}
	local := plumbing.NewBranchReferenceName(branch)
	if err := switchTo(repo, wt, local, start, plumbing.NewHash(base.Hash)); err != nil {
		return res, nil, fmt.Errorf("cannot check out %s at %s: %w", branch, short(start.String()), err)
	}
	message, paths, err := opts.Change(dir)
	if err != nil || message == "" {
		return res, nil, err
	}
	if err := stage(repo, dir, paths); err != nil {
		return res, nil, err
	}
	hash, err := commit(wt, message, opts)
	if err != nil {
		return res, nil, err
	}
	if err := push(ctx, repo, specs, opts); err != nil {
		if newBranch {
			start = plumbing.ZeroHash
		}
		return res, &start, err
	}
	res.Commit = hash.String()
	return res, nil, nil
}

// startOf is the commit the change is made on: the checked out commit, or
// the push branch's tip when it is another branch that exists (or the
// checkout pins a commit or tag of it), so that the push is a fast-forward.
// newBranch tells the push branch does not exist yet.
func startOf(ctx context.Context, repo *gogit.Repository, branch string, opts UpdateOptions, base *Commit) (start plumbing.Hash, newBranch bool, err error) {
	start = plumbing.NewHash(base.Hash)
	c := opts.Checkout
	pinned := c.Commit != "" || c.Tag != "" || c.SemVer != "" || c.Name != ""
	if branch == c.Branch && !pinned {
		return start, false, nil
	}
	h, found, err := fetchBranch(ctx, repo, opts, branch)
	if err != nil || !found {
		return start, true, err
	}
	return h, false, nil
}

// switchTo puts HEAD on the local branch at start. When start is the commit
// already checked out, only the refs are written: checking out again would
// compare every file of the worktree with the tree.
func switchTo(repo *gogit.Repository, wt *gogit.Worktree, local plumbing.ReferenceName, start, checkedOut plumbing.Hash) error {
	if start != checkedOut {
		return wt.Checkout(&gogit.CheckoutOptions{Branch: local, Hash: start, Create: true, Force: true})
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference(local, start)); err != nil {
		return err
	}
	return repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, local))
}

// stage writes the changed files into the object store and the index, read
// and written once. (go-git's Add reads and writes the whole index per file,
// and without SkipStatus also computes the status of the whole worktree:
// minutes for 100 files among 10,000.)
func stage(repo *gogit.Repository, dir string, paths []string) error {
	idx, err := repo.Storer.Index()
	if err != nil {
		return err
	}
	for _, p := range paths {
		full := filepath.Join(dir, filepath.FromSlash(p))
		info, err := os.Lstat(full)
		if err != nil {
			return fmt.Errorf("cannot stage %s: %w", p, err)
		}
		if !info.Mode().IsRegular() {
			return fmt.Errorf("cannot stage %s: not a regular file", p)
		}
		data, err := os.ReadFile(full)
		if err != nil {
			return fmt.Errorf("cannot stage %s: %w", p, err)
		}
		obj := repo.Storer.NewEncodedObject()
		obj.SetType(plumbing.BlobObject)
		obj.SetSize(int64(len(data)))
		w, err := obj.Writer()
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
		h, err := repo.Storer.SetEncodedObject(obj)
		if err != nil {
			return fmt.Errorf("cannot stage %s: %w", p, err)
		}
		e, err := idx.Entry(p)
		if err != nil {
			e = idx.Add(p)
			e.Mode = filemode.Regular
			if info.Mode()&0o111 != 0 {
				e.Mode = filemode.Executable
			}
		}
		e.Hash, e.Size, e.ModifiedAt = h, uint32(info.Size()), info.ModTime()
	}
	return repo.Storer.SetIndex(idx)
}

// fetchBranch fetches a branch other than the checked out one, if it exists.
func fetchBranch(ctx context.Context, repo *gogit.Repository, opts UpdateOptions, branch string) (plumbing.Hash, bool, error) {
	o, err := opts.Auth.options(ctx, opts.URL)
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	remote := plumbing.NewRemoteReferenceName(gogit.DefaultRemoteName, branch)
	spec := config.RefSpec("+" + plumbing.NewBranchReferenceName(branch).String() + ":" + remote.String())
	err = repo.FetchContext(ctx, &gogit.FetchOptions{
		RemoteName: gogit.DefaultRemoteName, RefSpecs: []config.RefSpec{spec}, Depth: 1, Tags: gogit.NoTags,
		Auth: o.method, CABundle: o.caBundle, ClientCert: o.clientCert, ClientKey: o.clientKey, ProxyOptions: o.proxy,
	})
	switch {
	case errors.Is(err, gogit.NoMatchingRefSpecError{}):
		return plumbing.ZeroHash, false, nil
	case err != nil && !errors.Is(err, gogit.NoErrAlreadyUpToDate):
		return plumbing.ZeroHash, false, remoteError(err, fmt.Sprintf("cannot fetch branch '%s' from '%s'", branch, RedactURL(opts.URL)), newRedactor(opts.URL, opts.Auth))
	}
	ref, err := repo.Reference(remote, true)
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	return ref.Hash(), true, nil
}

func commit(wt *gogit.Worktree, message string, opts UpdateOptions) (plumbing.Hash, error) {
	when := opts.Author.When
	if when.IsZero() {
		when = time.Now()
	}
	sig := &object.Signature{Name: opts.Author.Name, Email: opts.Author.Email, When: when}
	co := &gogit.CommitOptions{Author: sig, Committer: sig}
	if opts.Signer != nil {
		co.Signer = opts.Signer
	}
	h, err := wt.Commit(message, co)
	if err != nil {
		return h, fmt.Errorf("cannot commit: %w", err)
	}
	return h, nil
}

func push(ctx context.Context, repo *gogit.Repository, specs []config.RefSpec, opts UpdateOptions) error {
	o, err := opts.Auth.options(ctx, opts.URL)
	if err != nil {
		return err
	}
	err = repo.PushContext(ctx, &gogit.PushOptions{
		RemoteName: gogit.DefaultRemoteName, RefSpecs: specs, Options: opts.PushOptions,
		Auth: o.method, CABundle: o.caBundle, ClientCert: o.clientCert, ClientKey: o.clientKey, ProxyOptions: o.proxy,
	})
	if err == nil || errors.Is(err, gogit.NoErrAlreadyUpToDate) {
		return nil
	}
	where, red := RedactURL(opts.URL), newRedactor(opts.URL, opts.Auth)
	werr := remoteError(err, fmt.Sprintf("cannot push to '%s'", where), red)
	var ge *gitError
	if errors.As(werr, &ge) && ge.kind == nil {
		ge.kind = ErrPushRejected
	}
	return werr
}

// branchMoved tells a lost race: the remote branch is no longer where the
// pushed commit was built.
func branchMoved(ctx context.Context, opts UpdateOptions, branch string, start plumbing.Hash) (bool, error) {
	refs, err := listRefs(ctx, opts.URL, opts.Auth)
	if err != nil {
		return false, err
	}
	now, ok := refs[plumbing.NewBranchReferenceName(branch)]
	if !ok {
		now = plumbing.ZeroHash
	}
	return now != start, nil
}

// pushRefSpecs is the push branch onto itself, then the extra refspecs.
func pushRefSpecs(branch string, extra []string) ([]config.RefSpec, error) {
	b := plumbing.NewBranchReferenceName(branch).String()
	specs := []config.RefSpec{config.RefSpec(b + ":" + b)}
	for _, s := range extra {
		s = strings.TrimSpace(s)
		rs := config.RefSpec(s)
		switch {
		case strings.HasPrefix(s, "+"):
			return nil, newError(ErrPushRejected, "refspec %q forces the push: Tide never force-pushes; remove the '+'", s)
		case strings.HasPrefix(s, ":") || rs.IsDelete():
			return nil, newError(ErrPushRejected, "refspec %q deletes a ref: give a source, e.g. refs/heads/%s:refs/heads/<branch>", s, branch)
		}
		if err := rs.Validate(); err != nil {
			return nil, newError(ErrPushRejected, "refspec %q is not valid: %v", s, err)
		}
		if rs.String() != specs[0].String() {
			specs = append(specs, rs)
		}
	}
	return specs, nil
}
