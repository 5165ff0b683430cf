package imagerepository

import (
	"context"
	"regexp"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/registry"
	"github.com/tidegitops/tide/skeleton"
)

// InvalidProviderConfigurationReason: spec.provider names a cloud
// provider, whose workload identity Tide does not have yet (the reason
// Tide's source-controller gives for the same).
const InvalidProviderConfigurationReason = "InvalidProviderConfiguration"

// checkSpec stalls on what no retry can fix: a cloud provider Tide cannot
// authenticate with (accepting it and scanning anonymously would hide
// why private images are not found), an image that is no repository name,
// and an exclusion list that does not compile.
func (r *Reconciler) checkSpec(_ context.Context, s *scope) error {
	obj := s.obj
	switch p := obj.GetProvider(); p {
	case imagev1.GenericProvider:
	default:
		return skeleton.Stall(InvalidProviderConfigurationReason,
			"provider '%s' is not supported by Tide yet (its workload identity is not implemented): use 'generic' (the default) with a docker config Secret in spec.secretRef",
			p)
	}
	repo, err := registry.ParseImage(obj.Spec.Image, obj.Spec.Insecure)
	if err != nil {
		return skeleton.Stall(imagev1.ImageURLInvalidReason, "%s", err.Error())
	}
	s.repo = repo
	for _, pattern := range obj.GetExclusionList() {
		re, err := regexp.Compile(pattern)
		if err != nil {
			return skeleton.Stall(imagev1.ReadOperationFailedReason,
				"spec.exclusionList: '%s' is not a regular expression (%s): fix it", pattern, err.Error())
		}
		s.excluded = append(s.excluded, re)
	}
	return nil
}
