package imagepolicy

import (
	"github.com/google/go-containerregistry/pkg/name"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/policy"
)

// scope carries what one reconciliation observed from step to step.
type scope struct {
	obj *imagev1.ImagePolicy

	// policy is spec.policy with spec.filterTags (spec step).
	policy *policy.Policy
	// repo is the ImageRepository named, and image its spec.image parsed
	// (repository step).
	repo  *imagev1.ImageRepository
	image name.Repository
	// tag is the tag picked (choose step).
	tag string
}
