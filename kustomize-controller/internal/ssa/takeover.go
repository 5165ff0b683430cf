package ssa

import (
	"encoding/json"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// The Override policy makes hand edits and fields that left Git go away.
// Server-side apply alone does not: a field that kubectl set (kubectl edit,
// patch, label, client-side apply...) stays owned by kubectl, so applying a
// manifest without it leaves it in place. Before applying, Override moves
// the fields of kubectl's managers into the controller's own apply entry and
// drops kubectl's last-applied-configuration annotation; the apply that
// follows then removes every field the controller owns and Git no longer
// sets. Fields of other managers (controllers, HPAs, or a person who chose
// another --field-manager, e.g. flux-client-side-apply) are left alone, as
// Flux does, unless --override-manager names them. Merge skips this step.

const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// takenOver: the manager is one of kubectl's (each subcommand records itself
// as kubectl-<verb>, client-side apply as kubectl-client-side-apply,
// server-side apply as kubectl) or before-first-apply, which kubectl writes
// when it moves an object from client-side to server-side apply, or starts
// with one of the names of --override-manager (extra): Flux matches those by
// prefix too, for both apply and update entries.
func takenOver(manager string, extra []string) bool {
	if strings.HasPrefix(manager, "kubectl") || manager == "before-first-apply" {
		return true
	}
	for _, name := range extra {
		if name != "" && strings.HasPrefix(manager, name) {
			return true
		}
	}
	return false
}

// needsTakeover reports whether the live object has fields of kubectl's
// managers (or of extra), or the last-applied annotation that Git does not set.
func needsTakeover(desired, live *unstructured.Unstructured, owner string, extra []string) bool {
	if _, ok := live.GetAnnotations()[lastAppliedAnnotation]; ok {
		if _, inGit := desired.GetAnnotations()[lastAppliedAnnotation]; !inGit {
			return true
		}
	}
	for _, e := range live.GetManagedFields() {
		if e.Subresource == "" && e.Manager != owner && takenOver(e.Manager, extra) {
			return true
		}
	}
	return false
}

// takeoverPatch is a JSON patch of the live object that merges the fields
// of kubectl's managers (and of extra), but the ignored ones, into owner's
// apply entry and removes the last-applied annotation (unless Git sets it).
// It fails if the object changed since it was read.
func takeoverPatch(desired, live *unstructured.Unstructured, owner string, extra []string, ignored [][]string) ([]byte, error) {
	fields := map[string]any{}
	var entries []metav1.ManagedFieldsEntry
	ours := -1
	for _, e := range live.GetManagedFields() {
		switch {
		case e.Subresource == "" && e.Manager == owner && e.Operation == metav1.ManagedFieldsOperationApply:
			ours = len(entries)
			entries = append(entries, e)
		case e.Subresource == "" && e.Manager != owner && takenOver(e.Manager, extra):
			if err := addFields(fields, e.FieldsV1); err != nil {
				return nil, fmt.Errorf("read managed fields of %s: %w", e.Manager, err)
			}
			continue
		default:
			entries = append(entries, e)
		}
	}
	if ours < 0 {
		ours = len(entries)
		entries = append(entries, metav1.ManagedFieldsEntry{
			Manager: owner, Operation: metav1.ManagedFieldsOperationApply,
			APIVersion: desired.GetAPIVersion(), FieldsType: "FieldsV1",
		})
	}
	if err := addFields(fields, entries[ours].FieldsV1); err != nil {
		return nil, fmt.Errorf("read managed fields of %s: %w", owner, err)
	}
	// Ignored fields stay with nobody, neither kubectl's nor the owner's
	// (see release.go): the apply that does not set them does not remove
	// them either.
	for _, tokens := range ignored {
		release(fields, live, tokens)
	}
	raw, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	now := metav1.Now()
	entries[ours].FieldsV1 = &metav1.FieldsV1{Raw: raw}
	entries[ours].Time = &now

	ops := []map[string]any{
		{"op": "test", "path": "/metadata/resourceVersion", "value": live.GetResourceVersion()},
		{"op": "replace", "path": "/metadata/managedFields", "value": entries},
	}
	if _, ok := live.GetAnnotations()[lastAppliedAnnotation]; ok {
		if _, inGit := desired.GetAnnotations()[lastAppliedAnnotation]; !inGit {
			ops = append(ops, map[string]any{"op": "remove",
				"path": "/metadata/annotations/" + strings.ReplaceAll(lastAppliedAnnotation, "/", "~1")})
		}
	}
	return json.Marshal(ops)
}

// addFields adds the field set fv to set: field sets are trees of
// {"f:name": {...}} and adding is their union.
func addFields(set map[string]any, fv *metav1.FieldsV1) error {
	if fv == nil || len(fv.Raw) == 0 {
		return nil
	}
	more := map[string]any{}
	if err := json.Unmarshal(fv.Raw, &more); err != nil {
		return err
	}
	unionFields(set, more)
	return nil
}

func unionFields(dst, src map[string]any) {
	for k, v := range src {
		sub, isMap := v.(map[string]any)
		have, ok := dst[k].(map[string]any)
		if !ok || !isMap {
			dst[k] = v
			continue
		}
		unionFields(have, sub)
	}
}
