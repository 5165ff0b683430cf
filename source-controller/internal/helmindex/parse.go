package helmindex

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	chart "helm.sh/helm/v4/pkg/chart/v2"
	repo "helm.sh/helm/v4/pkg/repo/v1"
	"sigs.k8s.io/yaml"
)

// ErrInvalidIndex: the data is not a Helm repository index.
var ErrInvalidIndex = errors.New("not a valid Helm repository index")

// Parse reads an index as Helm does: JSON (as the controller stores it) or
// strict YAML (as repositories serve it); entries Helm would skip are
// dropped, each chart's versions are sorted newest first, and an index
// without apiVersion is refused.
func Parse(data []byte) (*repo.IndexFile, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: it is empty", ErrInvalidIndex)
	}
	idx := &repo.IndexFile{}
	var err error
	if json.Valid(data) {
		err = json.Unmarshal(data, idx)
	} else {
		err = yaml.UnmarshalStrict(data, idx)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidIndex, firstLine(err.Error()))
	}
	if idx.APIVersion == "" {
		return nil, fmt.Errorf("%w: it has no apiVersion", ErrInvalidIndex)
	}
	for name, versions := range idx.Entries {
		versions = slices.DeleteFunc(versions, skipped)
		// A stored index is sorted already; checking is cheaper than sorting.
		if !sort.IsSorted(sort.Reverse(versions)) {
			sort.Sort(sort.Reverse(versions))
		}
		idx.Entries[name] = versions
	}
	return idx, nil
}

// skipped is Helm's rule for index entries it ignores: empty ones, and
// ones whose metadata does not validate (but for the duplicate dependency
// alias some servers produce).
func skipped(v *repo.ChartVersion) bool {
	if v == nil {
		return true
	}
	if v.Metadata == nil {
		v.Metadata = &chart.Metadata{}
	}
	if v.APIVersion == "" {
		v.APIVersion = chart.APIVersionV1
	}
	err := v.Validate()
	return err != nil && !strings.HasPrefix(err.Error(), "validation: more than one dependency with name or alias")
}

// firstLine keeps a parser's message short: YAML errors may go on to quote
// the document.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
