package policy

import (
	"strings"

	"github.com/Masterminds/semver/v3"
)

type semverOrder struct {
	rng        string
	constraint *semver.Constraints
}

func newSemver(rng string) (*semverOrder, error) {
	c, err := semver.NewConstraint(rng)
	if err != nil {
		return nil, newError(ErrInvalidPolicy,
			"spec.policy.semver.range '%s' is not a semver range (%s): write one like '>=1.0.0 <2.0.0', '^1.2' or '~1.2.3'", rng, err.Error())
	}
	return &semverOrder{rng: rng, constraint: c}, nil
}

// latest picks the greatest version in the range. Of equal versions
// ("1.0.0" and "v1.0.0", or builds "+a" and "+b") the first given wins, as
// in Flux, which also keeps the first.
func (s *semverOrder) latest(values []string) (int, error) {
	best := -1
	var bestV *semver.Version
	for i, value := range values {
		v, ok := parseVersion(value)
		if !ok || !s.constraint.Check(v) {
			continue
		}
		if bestV == nil || v.GreaterThan(bestV) {
			best, bestV = i, v
		}
	}
	if best < 0 {
		return 0, newError(ErrNoMatch,
			"no tag is a version in the range '%s' (of %d candidates): push one, or widen spec.policy.semver.range", s.rng, len(values))
	}
	return best, nil
}

// parseVersion accepts what Flux accepts: a strict semantic version
// (major.minor.patch, so "1.2" or a date like "20240101" are not
// versions), optionally with a leading "v". One strict parse does it: the
// "v" changes nothing a range compares.
func parseVersion(tag string) (*semver.Version, bool) {
	rest := strings.TrimPrefix(tag, "v")
	if rest == "" || rest[0] < '0' || rest[0] > '9' {
		return nil, false // most non-version tags, without a parse
	}
	v, err := semver.StrictNewVersion(rest)
	return v, err == nil
}
