// Package postrender changes a chart's rendered manifests before Helm
// applies them, as Flux's helm-controller does through Helm's post-renderer
// hook: a HelmRelease's spec.postRenderers (kustomize patches, strategic
// merge or JSON 6902, and image overrides) in order, then its
// spec.commonMetadata (labels and annotations on every object), then the
// origin labels helm.toolkit.fluxcd.io/name and /namespace that say which
// HelmRelease an object belongs to.
//
// It is public so that the controller and the tide CLI (`tide build
// helmrelease`, `tide diff helmrelease`) render a release alike. Digest and
// CommonMetadataDigest are status.observedPostRenderersDigest and
// status.observedCommonMetadataDigest as Flux writes them, so that a change
// of either is seen as a change of the desired release.
package postrender
