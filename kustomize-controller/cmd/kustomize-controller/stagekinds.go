package main

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// parseStageKinds reads --custom-apply-stage-kinds: a comma-separated list
// of group/Kind, as Flux documents it (rbac.authorization.k8s.io/Role); a
// kind of the core group is written without a group (ConfigMap, or
// /ConfigMap). A mistyped entry stops the controller at start-up rather
// than being silently never matched.
func parseStageKinds(value string) (map[schema.GroupKind]bool, error) {
	kinds := map[schema.GroupKind]bool{}
	for entry := range strings.SplitSeq(value, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		group, kind, found := strings.Cut(entry, "/")
		if !found {
			group, kind = "", entry
		}
		if kind == "" || strings.ContainsAny(kind, "/. ") || strings.Contains(group, " ") {
			return nil, fmt.Errorf("invalid --custom-apply-stage-kinds entry %q: write group/Kind, e.g. rbac.authorization.k8s.io/Role", entry)
		}
		kinds[schema.GroupKind{Group: group, Kind: kind}] = true
	}
	if len(kinds) == 0 {
		return nil, nil
	}
	return kinds, nil
}
