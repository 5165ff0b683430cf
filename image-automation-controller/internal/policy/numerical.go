package policy

import "strconv"

type numericalOrder struct{ desc bool }

func newNumerical(order string) (*numericalOrder, error) {
	desc, err := orderOf(order, "spec.policy.numerical.order")
	if err != nil {
		return nil, err
	}
	return &numericalOrder{desc: desc}, nil
}

// latest picks the greatest number (asc) or the least (desc). Every value
// must be a number, as in Flux: one that is not fails the policy, since
// the filter meant to leave only numbers lets others through. Of equal
// numbers ("1" and "01") the last given wins, as in Flux.
func (n *numericalOrder) latest(values []string) (int, error) {
	best := -1
	var bestN float64
	for i, value := range values {
		f, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return 0, newError(ErrInvalidTag,
				"'%s' is not a number, and the numerical policy compares only numbers: set spec.filterTags to keep (or extract) numeric tags only", value)
		}
		if best < 0 || (!n.desc && f >= bestN) || (n.desc && f <= bestN) {
			best, bestN = i, f
		}
	}
	return best, nil
}
