package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"github.com/go-git/go-git/v5/storage/memory"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// checkout is an in-memory working copy of the fleet repository's branch.
type checkout struct {
	opts Options
	auth transport.AuthMethod
	repo *gogit.Repository
	tree *gogit.Worktree
	// knownHosts is the SSH host key seen while cloning, as a known_hosts
	// line for the flux-system Secret.
	knownHosts *string
}

// clone checks out opts.Branch of opts.URL, or starts the branch when the
// repository is empty or does not have it yet.
func clone(ctx context.Context, opts Options) (*checkout, error) {
	co := &checkout{opts: opts, knownHosts: new(string)}
	auth, err := co.authMethod()
	if err != nil {
		return nil, err
	}
	co.auth = auth
	refs, err := gogit.NewRemote(memory.NewStorage(), &config.RemoteConfig{
		Name: gogit.DefaultRemoteName, URLs: []string{opts.URL},
	}).ListContext(ctx, &gogit.ListOptions{Auth: auth})
	if err != nil && !errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return nil, co.explain(err)
	}
	branch := plumbing.NewBranchReferenceName(opts.Branch)
	if !slices.ContainsFunc(refs, func(r *plumbing.Reference) bool { return r.Name() == branch }) {
		return co, co.startBranch(branch)
	}
	co.repo, err = gogit.CloneContext(ctx, memory.NewStorage(), memfs.New(), &gogit.CloneOptions{
		URL: opts.URL, Auth: auth, ReferenceName: branch, SingleBranch: true,
	})
	if err != nil {
		return nil, co.explain(err)
	}
	co.tree, err = co.repo.Worktree()
	return co, err
}

// startBranch makes an empty repository whose first commit starts branch.
func (co *checkout) startBranch(branch plumbing.ReferenceName) error {
	repo, err := gogit.Init(memory.NewStorage(), memfs.New())
	if err != nil {
		return err
	}
	if _, err := repo.CreateRemote(&config.RemoteConfig{Name: gogit.DefaultRemoteName, URLs: []string{co.opts.URL}}); err != nil {
		return err
	}
	if err := repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, branch)); err != nil {
		return err
	}
	co.repo = repo
	co.tree, err = repo.Worktree()
	return err
}

func (co *checkout) authMethod() (transport.AuthMethod, error) {
	o := co.opts
	switch {
	case o.PrivateKeyFile != "":
		user := "git"
		if ep, err := transport.NewEndpoint(o.URL); err == nil && ep.User != "" {
			user = ep.User
		}
		keys, err := gitssh.NewPublicKeysFromFile(user, o.PrivateKeyFile, o.Password)
		if err != nil {
			return nil, fmt.Errorf("read --private-key-file %s: %w", o.PrivateKeyFile, err)
		}
		// Trust on first use, as a key scan does: the key seen now is the
		// one the cluster will expect.
		keys.HostKeyCallback = func(host string, _ net.Addr, key ssh.PublicKey) error {
			*co.knownHosts = knownhosts.Line([]string{knownhosts.Normalize(host)}, key) + "\n"
			return nil
		}
		return keys, nil
	case o.Token != "":
		return &githttp.TokenAuth{Token: o.Token}, nil
	case o.Username != "" || o.Password != "":
		return &githttp.BasicAuth{Username: o.username(), Password: o.Password}, nil
	}
	return nil, nil
}

func (o Options) username() string {
	if o.Username == "" {
		return "git"
	}
	return o.Username
}

// explain turns the Git errors a user can act on into one line each.
func (co *checkout) explain(err error) error {
	url := co.opts.URL
	switch {
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed):
		return fmt.Errorf("authentication to %s failed: check --username/--password or --token", url)
	case strings.Contains(err.Error(), "unable to authenticate"):
		return fmt.Errorf("authentication to %s failed: check --private-key-file (and --password, its passphrase)", url)
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return fmt.Errorf("repository %s not found: create it first", url)
	}
	return fmt.Errorf("git %s: %w", url, err)
}

// foreign lists the files of dir that bootstrap does not write.
func (co *checkout) foreign(dir string, ours map[string][]byte) ([]string, error) {
	var found []string
	err := util.Walk(co.tree.Filesystem, dir, func(p string, info os.FileInfo, err error) error {
		if errors.Is(err, os.ErrNotExist) && p == dir {
			return nil
		}
		if err != nil || info.IsDir() {
			return err
		}
		if _, ok := ours[p]; !ok {
			found = append(found, p)
		}
		return nil
	})
	sort.Strings(found)
	return found, err
}

// commit writes files and commits them when they changed anything; it
// returns the commit bootstrap leaves the branch at and whether it is new.
func (co *checkout) commit(files map[string][]byte) (string, bool, error) {
	for p, data := range files {
		if err := util.WriteFile(co.tree.Filesystem, p, data, 0o644); err != nil {
			return "", false, err
		}
		if _, err := co.tree.Add(p); err != nil {
			return "", false, err
		}
	}
	status, err := co.tree.Status()
	if err != nil {
		return "", false, err
	}
	if status.IsClean() {
		head, err := co.repo.Head()
		if err != nil {
			return "", false, err
		}
		return head.Hash().String(), false, nil
	}
	hash, err := co.tree.Commit(CommitMessage, &gogit.CommitOptions{
		Author: &object.Signature{Name: "Tide", Email: "tide@localhost", When: time.Now()},
	})
	if err != nil {
		return "", false, err
	}
	return hash.String(), true, nil
}

// push sends the branch; it never forces, so history others pushed in the
// meantime is never lost.
func (co *checkout) push(ctx context.Context) error {
	ref := plumbing.NewBranchReferenceName(co.opts.Branch)
	err := co.repo.PushContext(ctx, &gogit.PushOptions{
		RemoteName: gogit.DefaultRemoteName,
		RefSpecs:   []config.RefSpec{config.RefSpec(ref + ":" + ref)},
		Auth:       co.auth,
	})
	switch {
	case err == nil, errors.Is(err, gogit.NoErrAlreadyUpToDate):
		return nil
	case strings.Contains(err.Error(), "non-fast-forward"), strings.Contains(err.Error(), "fetch first"):
		return fmt.Errorf("push to %s rejected: branch %s has commits bootstrap did not start from; pull and resolve them, then run bootstrap again",
			co.opts.URL, co.opts.Branch)
	}
	return co.explain(err)
}
