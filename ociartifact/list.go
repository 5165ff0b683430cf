package ociartifact

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// ListOptions filter ListArtifacts, as `flux list artifacts` does.
type ListOptions struct {
	// SemverFilter keeps the tags that are versions in this range.
	SemverFilter string
	// RegexFilter keeps the tags that match.
	RegexFilter string
	// IncludeCosignArtifacts keeps cosign's tags (*.sig, *.att, *.sbom),
	// left out by default.
	IncludeCosignArtifacts bool
}

// ListTags returns the tags of the repository repoURL (oci://host/repo), as
// the registry orders them.
func (c *Client) ListTags(ctx context.Context, repoURL string) ([]string, error) {
	repo, err := c.repository(repoURL)
	if err != nil {
		return nil, err
	}
	tags, err := c.puller.List(ctx, repo)
	if err != nil {
		return nil, classify(err, "listing the tags of", repo.String())
	}
	return tags, nil
}

// ListArtifacts returns the metadata of every artifact tagged in repoURL that
// opts keep, newest-looking tag first (tags sorted in reverse, as Flux
// does): one GET of the tag list, then one manifest GET per tag.
func (c *Client) ListArtifacts(ctx context.Context, repoURL string, opts ListOptions) ([]Metadata, error) {
	keep, err := opts.filter()
	if err != nil {
		return nil, err
	}
	tags, err := c.ListTags(ctx, repoURL)
	if err != nil {
		return nil, err
	}
	repo, _ := c.repository(repoURL) // checked by ListTags
	slices.SortFunc(tags, func(a, b string) int { return strings.Compare(b, a) })
	out := []Metadata{}
	for _, tag := range tags {
		if !keep(tag) {
			continue
		}
		a, err := c.Get(ctx, repo.Tag(tag).String())
		if err != nil {
			return nil, err
		}
		out = append(out, a.Metadata)
	}
	return out, nil
}

func (o ListOptions) filter() (func(tag string) bool, error) {
	var constraint *semver.Constraints
	if o.SemverFilter != "" {
		c, err := semver.NewConstraint(o.SemverFilter)
		if err != nil {
			return nil, fmt.Errorf("the semver filter %q is not a version range: %w", o.SemverFilter, err)
		}
		constraint = c
	}
	var re *regexp.Regexp
	if o.RegexFilter != "" {
		r, err := regexp.Compile(o.RegexFilter)
		if err != nil {
			return nil, fmt.Errorf("the regex filter %q is not a regular expression: %w", o.RegexFilter, err)
		}
		re = r
	}
	return func(tag string) bool {
		if !o.IncludeCosignArtifacts && isCosignTag(tag) {
			return false
		}
		if constraint != nil {
			v, err := semver.NewVersion(tag)
			if err != nil || !constraint.Check(v) {
				return false
			}
		}
		return re == nil || re.MatchString(tag)
	}, nil
}

func isCosignTag(tag string) bool {
	return strings.HasSuffix(tag, ".sig") || strings.HasSuffix(tag, ".att") || strings.HasSuffix(tag, ".sbom")
}
