package policy

import (
	"strings"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
)

// orderer picks the latest of candidate values (tags, or what extract
// took out of them); it returns the index of the one it picked.
type orderer interface {
	latest(values []string) (int, error)
}

// Policy is an ImagePolicy's spec.policy and spec.filterTags, checked.
type Policy struct {
	order  orderer
	filter *filter
}

// New checks the policy and the filter (nil for none). Like Flux it uses
// the first of semver, alphabetical and numerical that is set.
func New(choice imagev1.ImagePolicyChoice, tagFilter *imagev1.TagFilter) (*Policy, error) {
	var p Policy
	var err error
	switch {
	case choice.SemVer != nil:
		p.order, err = newSemver(choice.SemVer.Range)
	case choice.Alphabetical != nil:
		p.order, err = newAlphabetical(choice.Alphabetical.Order)
	case choice.Numerical != nil:
		p.order, err = newNumerical(choice.Numerical.Order)
	default:
		err = newError(ErrInvalidPolicy, "spec.policy sets none of semver, alphabetical and numerical: set one")
	}
	if err != nil {
		return nil, err
	}
	if tagFilter != nil {
		if p.filter, err = newFilter(tagFilter.Pattern, tagFilter.Extract); err != nil {
			return nil, err
		}
	}
	return &p, nil
}

// Latest returns the tag the policy picks among tags, in the order given.
func (p *Policy) Latest(tags []string) (string, error) {
	values, originals := tags, tags
	if p.filter != nil {
		values, originals = p.filter.apply(tags)
		if len(values) == 0 {
			return "", newError(ErrNoMatch,
				"none of the %d tags matches spec.filterTags.pattern '%s': fix the pattern, or push a matching tag", len(tags), p.filter.pattern)
		}
	}
	if len(values) == 0 {
		return "", newError(ErrNoMatch, "the image has no tags to choose from: push one")
	}
	i, err := p.order.latest(values)
	if err != nil {
		return "", err
	}
	return originals[i], nil
}

func orderOf(order, field string) (desc bool, err error) {
	switch strings.ToLower(order) {
	case "", imagev1.OrderAsc:
		return false, nil
	case imagev1.OrderDesc:
		return true, nil
	default:
		return false, newError(ErrInvalidPolicy, "%s '%s' is neither asc nor desc: fix it", field, order)
	}
}
