package gitclient

import (
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// Ref selects what to check out. Its fields mirror the API's
// GitRepositoryRef, so a reconciler converts with gitclient.Ref(*spec.Reference).
// When several are set, Commit wins over Name, Name over SemVer, SemVer over
// Tag and Tag over Branch; Branch is only used with Commit. The zero Ref is
// branch "master".
type Ref struct {
	Branch string
	Tag    string
	SemVer string
	Name   string
	Commit string
}

// DefaultBranch is followed when no ref is set, as in Flux.
const DefaultBranch = "master"

type refKind int

const (
	kindBranch refKind = iota
	kindTag
	kindSemVer
	kindName
	kindCommit
)

// plan is a Ref after precedence: one kind, the remote ref to ask for (none
// for a bare commit), and the name shown in front of the revision.
type plan struct {
	kind    refKind
	remote  plumbing.ReferenceName // ref on the remote; "" for a commit alone
	display string                 // "<display>@sha1:<hash>"; "" for a commit alone
	semver  string
	commit  string
}

func planFor(ref Ref) (plan, error) {
	switch {
	case ref.Commit != "":
		c := strings.ToLower(strings.TrimSpace(ref.Commit))
		if !isFullSHA1(c) {
			return plan{}, newError(ErrRefNotFound,
				"commit %q is not a full 40-character SHA-1: use the whole commit hash", ref.Commit)
		}
		p := plan{kind: kindCommit, commit: c}
		if ref.Branch != "" {
			p.remote, p.display = plumbing.NewBranchReferenceName(ref.Branch), ref.Branch
		}
		return p, nil
	case ref.Name != "":
		return plan{kind: kindName, remote: plumbing.ReferenceName(ref.Name), display: ref.Name}, nil
	case ref.SemVer != "":
		return plan{kind: kindSemVer, semver: ref.SemVer}, nil
	case ref.Tag != "":
		return tagPlan(ref.Tag), nil
	default:
		b := ref.Branch
		if b == "" {
			b = DefaultBranch
		}
		return plan{kind: kindBranch, remote: plumbing.NewBranchReferenceName(b), display: b}, nil
	}
}

func tagPlan(tag string) plan {
	return plan{kind: kindTag, remote: plumbing.NewTagReferenceName(tag), display: tag}
}

// String names the ref for messages, e.g. "branch 'main'".
func (p plan) String() string {
	switch p.kind {
	case kindBranch:
		return fmt.Sprintf("branch '%s'", p.display)
	case kindTag:
		return fmt.Sprintf("tag '%s'", p.display)
	case kindSemVer:
		return fmt.Sprintf("semver range '%s'", p.semver)
	case kindName:
		return fmt.Sprintf("ref '%s'", p.display)
	default:
		if p.display != "" {
			return fmt.Sprintf("commit '%s' on branch '%s'", p.commit, p.display)
		}
		return fmt.Sprintf("commit '%s'", p.commit)
	}
}

func (p plan) revision(hash string) string {
	if p.display == "" {
		return "sha1:" + hash
	}
	return p.display + "@sha1:" + hash
}

func isFullSHA1(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
