package ocirepository

import (
	"os"

	"github.com/google/go-containerregistry/pkg/name"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/ociartifact"
)

// scope carries what one reconciliation observed from step to step.
type scope struct {
	obj *sourcev1.OCIRepository

	// repo is spec.url parsed (spec step).
	repo name.Repository
	// client reaches the registry with the object's credentials, TLS and
	// proxy settings (auth step).
	client *ociartifact.Client

	// ref is what to pull, "<host>/<repo>:<tag>" or "<host>/<repo>@<digest>",
	// and revision the artifact revision it resolved to, in Flux's format:
	// "<tag>@sha256:<hex>", or "sha256:<hex>" for a digest ref (resolve step).
	ref      string
	tag      string
	revision string
	// upToDate is true when the stored artifact holds this revision, built
	// with the current ignore rules and layer selector: nothing is pulled.
	upToDate bool

	// workDir holds the extracted layer, or the copied one (pull step).
	workDir string
	// layerFile is the copied layer (operation copy), within workDir.
	layerFile string
	// annotations are the manifest's, recorded as the artifact's metadata.
	annotations map[string]string
}

// digest is the manifest digest of the revision, "sha256:<hex>".
func (s *scope) digest() string {
	for i := len(s.revision) - 1; i >= 0; i-- {
		if s.revision[i] == '@' {
			return s.revision[i+1:]
		}
	}
	return s.revision
}

func (s *scope) cleanup() {
	if s.workDir != "" {
		_ = os.RemoveAll(s.workDir)
	}
}
