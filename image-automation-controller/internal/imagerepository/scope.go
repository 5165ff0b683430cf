package imagerepository

import (
	"regexp"

	"github.com/google/go-containerregistry/pkg/name"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/registry"
	"github.com/tidegitops/tide/image-automation-controller/internal/tagstore"
)

// scope carries what one reconciliation observed from step to step.
type scope struct {
	obj *imagev1.ImageRepository
	key tagstore.Key

	// repo is spec.image parsed; excluded the exclusion list compiled
	// (spec step).
	repo     name.Repository
	excluded []*regexp.Regexp
	// scanReason says why this run scans; empty when it does not (due
	// step).
	scanReason string
	// client reaches the registry with the repository's settings (auth
	// step).
	client *registry.Client
}
