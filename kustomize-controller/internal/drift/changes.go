package drift

import (
	"bytes"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

// Verdict is what an update of an applied object means.
type Verdict int

const (
	// NoDrift: nothing the controller applied changed, or it changed it.
	NoDrift Verdict = iota
	// Drift: another actor changed what the controller applied.
	Drift
	// MaybeDrift: the controller lost a field while its own last write is
	// too recent to tell (managedFields times have a one-second
	// resolution) whether that write dropped it (Git no longer sets it)
	// or someone removed it since. The next interval checks in full.
	MaybeDrift
)

// recentWrite is how close to now the controller's own last write leaves
// a lost field ambiguous.
const recentWrite = 2 * time.Second

// Drifted tells whether the update from before to after is another actor's
// change to what the field managers in own applied: either another manager
// wrote (a new entry, or one with a new time or more fields) and now owns
// a field own owned before, which is how the apiserver records a changed
// value, or own lost a field without writing itself, which is how it
// records a field someone removed. Status subresource writes never count:
// the controller does not apply status. Losing fields to own's own apply
// (Git removed them) or another manager losing fields to own's forced
// apply is no drift either.
func Drifted(before, after metav1.Object, own map[string]bool, now time.Time) Verdict {
	ownBefore := ownedLeaves(before.GetManagedFields(), own)
	if ownBefore.Empty() {
		return NoDrift // nothing applied here: nothing to drift
	}
	previous := map[entryKey]metav1.ManagedFieldsEntry{}
	for _, e := range before.GetManagedFields() {
		previous[keyOf(e)] = e
	}
	ownWrote := false
	var ownLast time.Time
	for _, e := range after.GetManagedFields() {
		if e.Subresource == "status" {
			continue
		}
		if own[e.Manager] && e.Time != nil && e.Time.After(ownLast) {
			ownLast = e.Time.Time
		}
		old, seen := previous[keyOf(e)]
		if seen && sameTime(old, e) && !grew(old, e) {
			continue // not written in this update
		}
		if own[e.Manager] {
			ownWrote = true
			continue
		}
		if fields, ok := leaves(e); ok && fields.Intersection(ownBefore).Empty() {
			continue // a field own never had: left to that manager
		}
		return Drift
	}
	if ownWrote {
		return NoDrift
	}
	ownAfter := ownedLeaves(after.GetManagedFields(), own)
	switch {
	case ownBefore.Difference(ownAfter).Empty():
		return NoDrift
	case now.Sub(ownLast) < recentWrite:
		return MaybeDrift
	default:
		return Drift
	}
}

// entryKey identifies a managedFields entry: the apiserver keeps one per
// manager, operation and subresource.
type entryKey struct{ manager, operation, subresource string }

func keyOf(e metav1.ManagedFieldsEntry) entryKey {
	return entryKey{e.Manager, string(e.Operation), e.Subresource}
}

func sameTime(a, b metav1.ManagedFieldsEntry) bool {
	if a.Time == nil || b.Time == nil {
		return a.Time == b.Time
	}
	return a.Time.Equal(b.Time)
}

// grew reports whether after owns a field before did not (the time has a
// one-second resolution: two writes within a second keep it).
func grew(before, after metav1.ManagedFieldsEntry) bool {
	a, ok1 := leaves(after)
	b, ok2 := leaves(before)
	return !ok1 || !ok2 || !a.Difference(b).Empty()
}

// ownedLeaves are the fields, not of the status subresource, that the
// managers in own own.
func ownedLeaves(entries []metav1.ManagedFieldsEntry, own map[string]bool) *fieldpath.Set {
	set := &fieldpath.Set{}
	for _, e := range entries {
		if own[e.Manager] && e.Subresource != "status" {
			if fields, ok := leaves(e); ok {
				set = set.Union(fields)
			}
		}
	}
	return set
}

// leaves parses an entry's field set down to its leaves. An entry that
// cannot be read gives false: its change is taken for drift, which costs
// one reconciliation, where missing one would leave the drift in place.
func leaves(e metav1.ManagedFieldsEntry) (*fieldpath.Set, bool) {
	set := &fieldpath.Set{}
	if e.FieldsV1 == nil {
		return set, true
	}
	if err := set.FromJSON(bytes.NewReader(e.FieldsV1.Raw)); err != nil {
		return nil, false
	}
	return set.Leaves(), true
}
