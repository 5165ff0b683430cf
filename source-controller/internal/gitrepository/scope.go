package gitrepository

import (
	"io/fs"
	"os"

	"github.com/fluxcd/pkg/apis/meta"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/gitclient"
)

// scope carries what one reconciliation observed from step to step.
type scope struct {
	obj *sourcev1.GitRepository

	auth     *gitclient.Auth
	resolved gitclient.Resolved
	includes []included

	// trustedKeys is the data of spec.verify's Secret, and keysFingerprint
	// the fingerprint of the public keys in it; both are empty without
	// spec.verify.
	trustedKeys     map[string][]byte
	keysFingerprint string

	// upToDate is true when the stored artifact already holds the resolved
	// commit built with the current spec: then no artifact is written.
	upToDate bool
	// reverify is true when the artifact is up to date but its signature was
	// not verified with the current mode and keys: the commit is fetched
	// again, only to verify it.
	reverify bool

	workDir string
	root    *os.Root // the checkout folder, opened for archiving
	commit  *gitclient.Commit
}

// included is one spec.include entry with the artifact it currently points at.
type included struct {
	spec     sourcev1.GitRepositoryInclude
	artifact meta.Artifact
}

// files returns what to archive: the commit's tree when no worktree was
// written, else the checkout folder (through os.Root, so no symlink in it
// can lead outside).
func (s *scope) files() (fs.ReadLinkFS, error) {
	if s.commit.Files != nil {
		return s.commit.Files, nil
	}
	root, err := os.OpenRoot(s.workDir)
	if err != nil {
		return nil, err
	}
	s.root = root
	return root.FS().(fs.ReadLinkFS), nil
}

func (s *scope) cleanup() {
	if s.commit != nil {
		_ = s.commit.Files.Close()
	}
	if s.root != nil {
		_ = s.root.Close()
	}
	if s.workDir != "" {
		_ = os.RemoveAll(s.workDir)
	}
}
