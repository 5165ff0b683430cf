package gitrepository

import (
	"os"

	"github.com/fluxcd/pkg/apis/meta"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/source-controller/internal/gitclient"
)

// scope carries what one reconciliation observed from step to step.
type scope struct {
	obj *sourcev1.GitRepository

	auth     *gitclient.Auth
	resolved gitclient.Resolved
	includes []included

	// upToDate is true when the stored artifact already holds the resolved
	// commit built with the current spec: then nothing is cloned or written.
	upToDate bool

	workDir string
	commit  *gitclient.Commit
}

// included is one spec.include entry with the artifact it currently points at.
type included struct {
	spec     sourcev1.GitRepositoryInclude
	artifact meta.Artifact
}

func (s *scope) cleanup() {
	if s.workDir != "" {
		_ = os.RemoveAll(s.workDir)
	}
}
