package ssa

import (
	"maps"
	"reflect"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// volatileMetadata differ between a dry-run result and the live object
// without anything the user set being different.
var volatileMetadata = []string{
	"managedFields", "resourceVersion", "generation", "creationTimestamp", "uid", "selfLink",
}

// sameObject reports whether the dry-run result of an apply equals the live
// object, that is, whether applying would change nothing a user can see.
// Planning uses it when it has read the live object anyway (see needsLive);
// otherwise the apply itself tells, by its resourceVersion.
// Status is compared only when the desired object sets it (a custom
// resource without a status subresource); otherwise apply cannot change it,
// and a controller updating it between the two reads must not count as
// drift.
func sameObject(dryRun, live *unstructured.Unstructured, withStatus bool) bool {
	return reflect.DeepEqual(comparable(dryRun.Object, withStatus), comparable(live.Object, withStatus))
}

// comparable returns a shallow copy of obj without the volatile metadata
// (and status, unless withStatus).
func comparable(obj map[string]any, withStatus bool) map[string]any {
	out := maps.Clone(obj)
	if !withStatus {
		delete(out, "status")
	}
	if md, ok := obj["metadata"].(map[string]any); ok {
		md = maps.Clone(md)
		for _, k := range volatileMetadata {
			delete(md, k)
		}
		out["metadata"] = md
	}
	return out
}
