package ssa

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Fields that spec.ignore leaves to others are taken out of what
// is applied. That alone would delete them where the controller owned them
// before the rule named them (server-side apply removes what its applier
// owned and no longer sets; the dry-run would even reject a required one):
// so before its dry-run an object's ignored fields are released from the
// controller's managed-fields entry, a change of metadata only, and the
// apply then leaves them alone.
//
// Field sets name map fields "f:<name>" and list elements by their keys
// ("k:{...}") or their value ("v:..."), not by index: the live object tells
// which element an index of the pointer means. A field inside an atomic
// list (owned as a whole) cannot be released alone; it is left owned, and
// the apply sets the list as Git has it.

// releaseIgnored releases the ignored fields of it that the owner's apply
// entry still owns. Only objects with ignored fields are read for it.
func (m *Manager) releaseIgnored(ctx context.Context, it *item) error {
	if len(it.ignored) == 0 {
		return nil
	}
	live, err := m.getLive(ctx, it)
	if err != nil || live == nil {
		return err
	}
	entries := live.GetManagedFields()
	for i, e := range entries {
		if e.Subresource != "" || e.Manager != m.Owner || e.Operation != metav1.ManagedFieldsOperationApply {
			continue
		}
		fields := map[string]any{}
		if err := addFields(fields, e.FieldsV1); err != nil {
			return fmt.Errorf("read managed fields of %s: %w", m.Owner, err)
		}
		if !ownsAny(fields, live, it.ignored) {
			return nil
		}
		for _, tokens := range it.ignored {
			release(fields, live, tokens)
		}
		raw, err := json.Marshal(fields)
		if err != nil {
			return err
		}
		entries[i].FieldsV1 = &metav1.FieldsV1{Raw: raw}
		patch, err := json.Marshal([]map[string]any{
			{"op": "test", "path": "/metadata/resourceVersion", "value": live.GetResourceVersion()},
			{"op": "replace", "path": "/metadata/managedFields", "value": entries},
		})
		if err != nil {
			return err
		}
		return m.Client.Patch(ctx, live, client.RawPatch(types.JSONPatchType, patch), client.FieldOwner(m.Owner))
	}
	return nil
}

// ownsAny reports whether the field set has any of the ignored fields of
// live.
func ownsAny(set map[string]any, live *unstructured.Unstructured, ignored [][]string) bool {
	for _, tokens := range ignored {
		if parents, _ := fieldPath(set, live.Object, tokens); parents != nil {
			return true
		}
	}
	return false
}

// release takes the field at tokens out of set, with the nodes it leaves
// empty (an empty node would claim its parent field as a whole).
func release(set map[string]any, live *unstructured.Unstructured, tokens []string) {
	parents, keys := fieldPath(set, live.Object, tokens)
	for i := len(parents) - 1; i >= 0; i-- {
		delete(parents[i], keys[i])
		if i > 0 && len(parents[i]) > 0 {
			return
		}
	}
}

// fieldPath follows tokens through the field set and the live object
// together. It returns each node passed and the key taken from it, the
// last key naming the field itself; nil when the set does not own the field
// or it cannot be named.
func fieldPath(set map[string]any, live any, tokens []string) (parents []map[string]any, keys []string) {
	node, value := set, live
	for _, t := range tokens {
		key, next, ok := childKey(node, value, t)
		if !ok {
			return nil, nil
		}
		parents, keys = append(parents, node), append(keys, key)
		value = next
		if node, ok = node[key].(map[string]any); !ok {
			return nil, nil
		}
	}
	return parents, keys
}

// childKey names the child t of the live value in the field set node:
// "f:t" in a map, the element's key or value in a list. It also returns the
// child's live value.
func childKey(node map[string]any, value any, t string) (string, any, bool) {
	switch v := value.(type) {
	case map[string]any:
		child, ok := v[t]
		return "f:" + t, child, ok
	case []any:
		i, err := strconv.Atoi(t)
		if err != nil || i < 0 || i >= len(v) {
			return "", nil, false
		}
		for key := range node {
			if elementKeyMatches(key, v[i]) {
				return key, v[i], true
			}
		}
	}
	return "", nil, false
}

// elementKeyMatches reports whether a field-set key names the list element.
func elementKeyMatches(key string, elem any) bool {
	switch {
	case strings.HasPrefix(key, "k:"):
		var fields map[string]any
		m, isMap := elem.(map[string]any)
		if !isMap || json.Unmarshal([]byte(key[2:]), &fields) != nil {
			return false
		}
		for name, want := range fields {
			if !sameJSON(m[name], want) {
				return false
			}
		}
		return len(fields) > 0
	case strings.HasPrefix(key, "v:"):
		var want any
		return json.Unmarshal([]byte(key[2:]), &want) == nil && sameJSON(elem, want)
	}
	return false
}

func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
