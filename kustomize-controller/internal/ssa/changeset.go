package ssa

import (
	"strings"

	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
)

// Action is what Apply or Delete did to one object.
type Action string

const (
	// Created: the object did not exist, or was deleted and created again
	// because an immutable field changed.
	Created Action = "created"
	// Configured: the object existed and was changed.
	Configured Action = "configured"
	// Unchanged: the object already matched; nothing was written.
	Unchanged Action = "unchanged"
	// Deleted: the object was pruned.
	Deleted Action = "deleted"
	// Skipped: an annotation (ssa: Ignore or IfNotPresent, reconcile:
	// disabled) kept the object from being applied.
	Skipped Action = "skipped"
)

// Change is one object and what was done to it.
type Change struct {
	Ref    inventory.ObjectRef
	Action Action
}

// String is "Kind/namespace/name action", as events and logs show it.
func (c Change) String() string {
	return c.Ref.String() + " " + string(c.Action)
}

// ChangeSet lists the changes of one Apply or Delete, in the order of its input.
type ChangeSet []Change

// String is one line per change: "ConfigMap/ns/name configured"; for events
// and logs.
func (cs ChangeSet) String() string {
	lines := make([]string, len(cs))
	for i, c := range cs {
		lines[i] = c.String()
	}
	return strings.Join(lines, "\n")
}

// Changed reports whether anything was written: any action other than
// unchanged and skipped.
func (cs ChangeSet) Changed() bool {
	for _, c := range cs {
		if c.Action != Unchanged && c.Action != Skipped {
			return true
		}
	}
	return false
}
