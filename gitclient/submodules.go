package gitclient

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

const maxSubmoduleDepth = 10

// updateSubmodules checks out the submodules of repo's worktree, recursively.
// go-git's own update only passes the auth method along; this fetches with
// every transport option (CA, client certificate, proxy). A password or
// token is only sent to submodules on the parent's scheme, host and port.
func updateSubmodules(ctx context.Context, repo *gogit.Repository, o transportOptions, red redactor, sparse []string, level int) error {
	if level >= maxSubmoduleDepth {
		return fmt.Errorf("submodules are nested more than %d levels deep", maxSubmoduleDepth)
	}
	parentURL, err := originURL(repo)
	if err != nil {
		return err
	}
	wt, err := repo.Worktree()
	if err != nil {
		return err
	}
	subs, err := wt.Submodules()
	if err != nil {
		return fmt.Errorf("cannot read .gitmodules: %w", err)
	}
	for _, s := range subs {
		p := s.Config().Path
		if !inSparse(p, sparse) {
			continue
		}
		if err := s.Init(); err != nil && !errors.Is(err, gogit.ErrSubmoduleAlreadyInitialized) {
			return fmt.Errorf("cannot initialize submodule '%s': %w", p, err)
		}
		status, err := s.Status()
		if err != nil {
			return fmt.Errorf("cannot read submodule '%s': %w", p, err)
		}
		if status.Expected.IsZero() {
			continue // listed in .gitmodules but not in the tree
		}
		sub, err := s.Repository()
		if err != nil {
			return fmt.Errorf("cannot set up submodule '%s': %w", p, err)
		}
		subURL, err := originURL(sub)
		if err != nil {
			return err
		}
		so := o
		if _, isSSH := so.method.(*sshTimeoutAuth); !isSSH && !sameServer(parentURL, subURL) {
			so.method = nil // never send passwords or tokens to another server
		}
		subRed := red.and(newRedactor(subURL, nil))
		err = sub.FetchContext(ctx, &gogit.FetchOptions{
			RemoteName: gogit.DefaultRemoteName, Tags: gogit.NoTags,
			RefSpecs: []config.RefSpec{"+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"},
			Auth:     so.method, CABundle: so.caBundle, ClientCert: so.clientCert, ClientKey: so.clientKey,
			ProxyOptions: so.proxy,
		})
		if err != nil && !errors.Is(err, gogit.NoErrAlreadyUpToDate) {
			return remoteError(err, fmt.Sprintf("cannot fetch submodule '%s' from '%s'", p, RedactURL(subURL)), subRed)
		}
		if _, err := sub.CommitObject(status.Expected); errors.Is(err, plumbing.ErrObjectNotFound) {
			return newError(ErrRefNotFound, "submodule '%s': commit %s not found in '%s'",
				p, status.Expected, subRed.redact(RedactURL(subURL)))
		}
		if err := s.UpdateContext(ctx, &gogit.SubmoduleUpdateOptions{NoFetch: true}); err != nil {
			return fmt.Errorf("cannot check out submodule '%s': %w", p, err)
		}
		if err := updateSubmodules(ctx, sub, so, subRed, nil, level+1); err != nil {
			return fmt.Errorf("in submodule '%s': %w", p, err)
		}
	}
	return nil
}

func originURL(r *gogit.Repository) (string, error) {
	rem, err := r.Remote(gogit.DefaultRemoteName)
	if err != nil {
		return "", fmt.Errorf("no origin remote: %w", err)
	}
	return rem.Config().URLs[0], nil
}

func sameServer(a, b string) bool {
	ea, err1 := transport.NewEndpoint(a)
	eb, err2 := transport.NewEndpoint(b)
	return err1 == nil && err2 == nil && ea.Protocol == eb.Protocol &&
		strings.EqualFold(ea.Host, eb.Host) && ea.Port == eb.Port
}

func inSparse(p string, sparse []string) bool {
	if len(sparse) == 0 {
		return true
	}
	for _, d := range sparse {
		if strings.HasPrefix(p+"/", d) {
			return true
		}
	}
	return false
}
