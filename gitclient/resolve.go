package gitclient

import (
	"context"
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/memory"
)

// Resolved is where a Ref points on the remote right now.
type Resolved struct {
	// Revision is "<branch|tag|name>@sha1:<hash>", or "sha1:<hash>" for a
	// commit alone, as Flux writes it in artifacts.
	Revision string
	// Hash is the commit hash (tags are peeled).
	Hash string
	// RefName is the full ref on the remote, e.g. "refs/tags/v1.2.0" for
	// the tag a semver range picked; "" for a commit alone.
	RefName string
}

// Resolve asks the remote where ref points, with one ref advertisement and no
// pack transfer. A commit alone needs no remote call. Errors wrap
// ErrRefNotFound, ErrAuthFailed, ErrUnreachable or ErrInvalidAuth.
func Resolve(ctx context.Context, repoURL string, auth *Auth, ref Ref) (Resolved, error) {
	p, err := planFor(ref)
	if err != nil {
		return Resolved{}, err
	}
	if p.kind == kindCommit && p.remote == "" {
		return Resolved{Revision: p.revision(p.commit), Hash: p.commit}, nil
	}
	refs, err := listRefs(ctx, repoURL, auth)
	if err != nil {
		return Resolved{}, err
	}
	return resolveIn(refs, p, RedactURL(repoURL))
}

// remoteRefs maps advertised ref names to hashes; peeled annotated tags are
// under "<name>^{}".
type remoteRefs map[plumbing.ReferenceName]plumbing.Hash

func listRefs(ctx context.Context, repoURL string, auth *Auth) (remoteRefs, error) {
	o, err := auth.options(ctx, repoURL)
	if err != nil {
		return nil, err
	}
	remote := gogit.NewRemote(memory.NewStorage(), &config.RemoteConfig{
		Name: gogit.DefaultRemoteName, URLs: []string{repoURL},
	})
	list, err := remote.ListContext(ctx, &gogit.ListOptions{
		Auth: o.method, CABundle: o.caBundle, ClientCert: o.clientCert, ClientKey: o.clientKey,
		ProxyOptions: o.proxy, PeelingOption: gogit.AppendPeeled,
	})
	if err != nil {
		return nil, remoteError(err, fmt.Sprintf("cannot list refs of '%s'", RedactURL(repoURL)),
			newRedactor(repoURL, auth))
	}
	refs := remoteRefs{}
	symbolic := map[plumbing.ReferenceName]plumbing.ReferenceName{}
	for _, r := range list {
		if r.Type() == plumbing.SymbolicReference {
			symbolic[r.Name()] = r.Target()
			continue
		}
		refs[r.Name()] = r.Hash()
	}
	for name, target := range symbolic {
		if h, ok := refs[target]; ok {
			refs[name] = h
		}
	}
	return refs, nil
}

// commitOf returns the commit a ref points to, peeling annotated tags.
func (r remoteRefs) commitOf(name plumbing.ReferenceName) (plumbing.Hash, bool) {
	if h, ok := r[name+"^{}"]; ok {
		return h, true
	}
	h, ok := r[name]
	return h, ok
}

func resolveIn(refs remoteRefs, p plan, where string) (Resolved, error) {
	if p.kind == kindSemVer {
		tag, err := highestTag(refs, p.semver, where)
		if err != nil {
			return Resolved{}, err
		}
		p = tagPlan(tag)
	}
	h, ok := refs.commitOf(p.remote)
	if !ok {
		return Resolved{}, newError(ErrRefNotFound, "%s not found in '%s'", p, where)
	}
	hash := h.String()
	if p.kind == kindCommit {
		hash = p.commit
	}
	return Resolved{Revision: p.revision(hash), Hash: hash, RefName: p.remote.String()}, nil
}

// highestTag returns the tag with the highest version inside the range.
// Tags with or without a "v" prefix both count; tags that are not versions
// are ignored. Of equal versions, the lexically first tag wins.
func highestTag(refs remoteRefs, rng, where string) (string, error) {
	c, err := semver.NewConstraint(rng)
	if err != nil {
		return "", newError(ErrRefNotFound, "semver range '%s' is not valid: %v", rng, err)
	}
	var (
		best    *semver.Version
		bestTag string
	)
	for name := range refs {
		if !name.IsTag() || strings.HasSuffix(name.String(), "^{}") {
			continue
		}
		tag := name.Short()
		v, err := semver.NewVersion(tag)
		if err != nil || !c.Check(v) {
			continue
		}
		if best == nil || v.GreaterThan(best) || (v.Equal(best) && tag < bestTag) {
			best, bestTag = v, tag
		}
	}
	if best == nil {
		return "", newError(ErrRefNotFound, "no tag in '%s' matches semver range '%s'", where, rng)
	}
	return bestTag, nil
}
