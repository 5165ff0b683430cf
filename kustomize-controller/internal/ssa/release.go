package ssa

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// Fields that spec.ignore leaves to others are taken out of what is
// applied. That alone would delete them where the controller owned them
// before the rule named them (server-side apply removes what its applier
// owned and no longer sets; the dry-run would even reject a required one):
// so, right before an object is applied, its ignored fields are released
// from the controller's managed-fields entry, a change of metadata only,
// and the apply then leaves them alone.
//
// Nothing is written before every object of the set passed its dry-run:
// the dry-run is sent with the ignored fields the controller owns set to
// their live values, which is what the apply after the release leaves them
// at, and the release itself waits for execute.
//
// Field sets name map fields "f:<name>" and list elements by their keys
// ("k:{...}") or their value ("v:..."), not by index: the live object tells
// which element an index of the pointer means. A field inside an atomic
// list (owned as a whole) cannot be released alone; it is left owned, and
// the apply sets the list as Git has it.

// planRelease reads the live object of an item with ignored fields and
// tells whether the owner's apply entry owns some of them (it.release);
// those fields get their live values in dryRun. Only objects with ignored
// fields are read for it; it writes nothing.
func (m *Manager) planRelease(ctx context.Context, it *item, dryRun *unstructured.Unstructured) error {
	it.release = false
	if len(it.ignored) == 0 {
		return nil
	}
	live, err := m.getLive(ctx, it)
	if err != nil || live == nil {
		return err
	}
	it.live = live
	e := m.ownEntry(live)
	if e < 0 {
		return nil
	}
	fields := map[string]any{}
	if err := addFields(fields, live.GetManagedFields()[e].FieldsV1); err != nil {
		return fmt.Errorf("read managed fields of %s: %w", m.Owner, err)
	}
	for _, tokens := range it.ignored {
		if parents, _ := fieldPath(fields, live.Object, tokens); parents != nil {
			it.release = true
			if value, ok := valueAt(live.Object, tokens); ok {
				dryRun.Object = setAt(dryRun.Object, tokens, value).(map[string]any)
			}
		}
	}
	return nil
}

// ownEntry is the index of the owner's apply entry in live's managed
// fields; -1 when it has none.
func (m *Manager) ownEntry(live *unstructured.Unstructured) int {
	for i, e := range live.GetManagedFields() {
		if e.Subresource == "" && e.Manager == m.Owner && e.Operation == metav1.ManagedFieldsOperationApply {
			return i
		}
	}
	return -1
}

// releasePatch is a JSON patch of the live object that takes the ignored
// fields out of the owner's apply entry; nil when it has none. It fails if
// the object changed since it was read.
func (m *Manager) releasePatch(it *item) ([]byte, error) {
	live := it.live
	entries := live.GetManagedFields()
	e := m.ownEntry(live)
	if e < 0 {
		return nil, nil
	}
	fields := map[string]any{}
	if err := addFields(fields, entries[e].FieldsV1); err != nil {
		return nil, fmt.Errorf("read managed fields of %s: %w", m.Owner, err)
	}
	for _, tokens := range it.ignored {
		release(fields, live, tokens)
	}
	raw, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	entries[e].FieldsV1 = &metav1.FieldsV1{Raw: raw}
	return json.Marshal([]map[string]any{
		{"op": "test", "path": "/metadata/resourceVersion", "value": live.GetResourceVersion()},
		{"op": "replace", "path": "/metadata/managedFields", "value": entries},
	})
}

// valueAt returns the value at tokens in node.
func valueAt(node any, tokens []string) (any, bool) {
	for _, t := range tokens {
		switch n := node.(type) {
		case map[string]any:
			child, ok := n[t]
			if !ok {
				return nil, false
			}
			node = child
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(n) {
				return nil, false
			}
			node = n[i]
		default:
			return nil, false
		}
	}
	return node, true
}

// setAt returns node with value at tokens: a map field is set, a list
// element inserted back where the ignore rule took it out. Where the path
// does not lead anywhere, node is unchanged.
func setAt(node any, tokens []string, value any) any {
	last := len(tokens) == 1
	switch n := node.(type) {
	case map[string]any:
		child, ok := n[tokens[0]]
		switch {
		case last:
			n[tokens[0]] = runtime.DeepCopyJSONValue(value)
		case ok:
			n[tokens[0]] = setAt(child, tokens[1:], value)
		}
		return n
	case []any:
		i, err := strconv.Atoi(tokens[0])
		switch {
		case err != nil || i < 0 || i > len(n) || (!last && i == len(n)):
		case last:
			return slices.Insert(n, i, runtime.DeepCopyJSONValue(value))
		default:
			n[i] = setAt(n[i], tokens[1:], value)
		}
		return n
	}
	return node
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
