package ocirepository

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/fluxcd/pkg/runtime/conditions"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
)

// defaultTag is pulled when spec.ref names nothing, as in Flux.
const defaultTag = "latest"

// resolve finds the manifest digest spec.ref points at and decides whether
// the stored artifact is still current. A tag costs one manifest HEAD, a
// semver range a tag list and one HEAD; a digest needs no request at all.
func (r *Reconciler) resolve(ctx context.Context, s *scope) error {
	ctx, cancel := context.WithTimeout(ctx, s.obj.GetTimeout())
	defer cancel()
	if err := r.resolveRef(ctx, s); err != nil {
		return failed(s.obj, sourcev1.FetchFailedCondition, err)
	}
	s.upToDate = artifactUpToDate(s.obj, s.revision)
	if a := s.obj.Status.Artifact; a != nil && a.Revision != s.revision {
		conditions.MarkTrue(s.obj, sourcev1.ArtifactOutdatedCondition, sourcev1.NewRevisionReason,
			"new revision '%s' for '%s'", s.revision, s.ref)
	}
	if s.upToDate {
		conditions.Delete(s.obj, sourcev1.FetchFailedCondition)
	}
	return nil
}

// resolveRef sets s.ref and s.revision from spec.ref: digest, else semver,
// else tag, else the latest tag.
func (r *Reconciler) resolveRef(ctx context.Context, s *scope) error {
	ref := s.obj.Spec.Reference
	if ref == nil {
		ref = &sourcev1.OCIRepositoryRef{}
	}
	switch {
	case ref.Digest != "":
		digest, err := v1.NewHash(ref.Digest)
		if err != nil {
			return skeleton.Stall(sourcev1.OCIPullFailedReason,
				"spec.ref.digest '%s' is not a digest (%s): use sha256:<64 hex digits>", ref.Digest, err.Error())
		}
		s.ref = s.repo.Digest(digest.String()).String()
		s.revision = digest.String()
		return nil
	case ref.SemVer != "":
		tag, err := r.semverTag(ctx, s, ref.SemVer, ref.SemverFilter)
		if err != nil {
			return err
		}
		s.tag = tag
	case ref.Tag != "":
		s.tag = ref.Tag
	default:
		s.tag = defaultTag
	}
	s.ref = s.repo.Tag(s.tag).String()
	digest, err := s.client.Resolve(ctx, s.ref)
	if err != nil {
		return r.registryError(s, err, "determine artifact digest")
	}
	s.revision = s.tag + "@" + digest
	return nil
}

// semverTag lists the repository's tags and returns the highest one within
// the range, among those semverFilter matches. Tags are versions as Flux
// reads them: strict semver, with an optional leading "v".
func (r *Reconciler) semverTag(ctx context.Context, s *scope, rng, filter string) (string, error) {
	constraint, err := semver.NewConstraint(rng)
	if err != nil {
		return "", skeleton.Stall(sourcev1.ReadOperationFailedReason,
			"semver '%s' parse error: %s: fix spec.ref.semver", rng, err.Error())
	}
	var keep *regexp.Regexp
	if filter != "" {
		if keep, err = regexp.Compile(filter); err != nil {
			return "", skeleton.Stall(sourcev1.ReadOperationFailedReason,
				"spec.ref.semverFilter '%s' is not a regular expression: %s: fix it", filter, err.Error())
		}
	}
	tags, err := s.client.ListTags(ctx, s.repo.String())
	if err != nil {
		return "", r.registryError(s, err, "determine the artifact tag")
	}
	var matching []*semver.Version
	for _, tag := range tags {
		if keep != nil && !keep.MatchString(tag) {
			continue
		}
		v, err := parseVersion(tag)
		if err != nil || !constraint.Check(v) {
			continue
		}
		matching = append(matching, v)
	}
	if len(matching) == 0 {
		hint := ""
		if filter != "" {
			hint = fmt.Sprintf(" matching '%s'", filter)
		}
		return "", skeleton.Wait(s.obj.GetRequeueAfter(), sourcev1.ReadOperationFailedReason,
			"failed to determine the artifact tag for '%s': no tag%s in the range '%s' among %d tags: push one, or fix spec.ref.semver",
			s.obj.Spec.URL, hint, rng, len(tags))
	}
	sort.Sort(sort.Reverse(semver.Collection(matching)))
	return matching[0].Original(), nil
}

// parseVersion accepts strict semver with an optional leading "v", as
// Flux's version.ParseVersion does (so "1.2" is no version here).
func parseVersion(tag string) (*semver.Version, error) {
	if _, err := semver.StrictNewVersion(strings.TrimPrefix(tag, "v")); err != nil {
		return nil, err
	}
	return semver.NewVersion(tag)
}

// artifactUpToDate reports whether the stored artifact holds revision, built
// with the current ignore rules and layer selector.
func artifactUpToDate(obj *sourcev1.OCIRepository, revision string) bool {
	a, st, spec := obj.Status.Artifact, obj.Status, obj.Spec
	return a != nil && a.Revision == revision &&
		equalPtr(st.ObservedIgnore, spec.Ignore) && equalPtr(st.ObservedLayerSelector, spec.LayerSelector)
}

func equalPtr[T comparable](a, b *T) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
