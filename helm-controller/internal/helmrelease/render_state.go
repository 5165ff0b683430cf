package helmrelease

import (
	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"

	"github.com/tidegitops/tide/helm-controller/postrender"
)

// renderChanged tells why the deployed release no longer renders as the
// spec says ("" when it does): spec.postRenderers or spec.commonMetadata
// differ from those of the last successful reconciliation, Flux's digests.
// As in Flux, only a new generation is compared: the observed digests are
// written at the end of a successful reconciliation, and a generation
// whose release failed must not be upgraded again for the same change.
func (s *scope) renderChanged() string {
	obj := s.obj
	ready := conditions.Get(obj, meta.ReadyCondition)
	if ready == nil || ready.ObservedGeneration == obj.Generation {
		return ""
	}
	return s.renderDiffers()
}

// renderDiffers is renderChanged without the generation rule: whether the
// spec's post-renderers or common metadata are other than those last
// released successfully. Then a failed release of them must not be
// reported Released once the state reads in sync (see outcome).
func (s *scope) renderDiffers() string {
	obj := s.obj
	switch {
	case postrender.Digest(obj.Spec.PostRenderers) != obj.Status.ObservedPostRenderersDigest:
		return "postrenderers digest has changed"
	case postrender.CommonMetadataDigest(obj.Spec.CommonMetadata) != obj.Status.ObservedCommonMetadataDigest:
		return "common metadata digest has changed"
	}
	return ""
}

// observeRender records the digests of the post-renderers and common
// metadata the release in sync was made with, once Ready.
func (s *scope) observeRender() {
	s.obj.Status.ObservedPostRenderersDigest = postrender.Digest(s.obj.Spec.PostRenderers)
	s.obj.Status.ObservedCommonMetadataDigest = postrender.CommonMetadataDigest(s.obj.Spec.CommonMetadata)
}
