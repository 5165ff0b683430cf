package policy

type alphabeticalOrder struct{ desc bool }

func newAlphabetical(order string) (*alphabeticalOrder, error) {
	desc, err := orderOf(order, "spec.policy.alphabetical.order")
	if err != nil {
		return nil, err
	}
	return &alphabeticalOrder{desc: desc}, nil
}

// latest picks the greatest value (asc) or the least (desc), comparing
// bytes, as Go's (and Flux's) string sort does.
func (a *alphabeticalOrder) latest(values []string) (int, error) {
	best := 0
	for i, v := range values[1:] {
		if (!a.desc && v > values[best]) || (a.desc && v < values[best]) {
			best = i + 1
		}
	}
	return best, nil
}
