package event

import (
	"sort"
	"strings"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
)

// Clean keeps only the metadata a notification may carry, as Flux's event
// server does on arrival: keys under the event API group (copied from the
// object's event.toolkit.fluxcd.io/ annotations) or under the involved
// object's API group (set by its controller), except the artifact checksum
// and digest, which say nothing to a reader.
func Clean(e *eventv1.Event) {
	prefix := groupPrefix(e)
	dropped := map[string]bool{
		strings.ToLower(prefix + eventv1.MetaChecksumKey): true,
		strings.ToLower(prefix + eventv1.MetaDigestKey):   true,
	}
	kept := map[string]string{}
	for k, v := range e.Metadata {
		if dropped[strings.ToLower(k)] {
			continue
		}
		if strings.HasPrefix(k, eventv1.Group+"/") || strings.HasPrefix(k, prefix) {
			kept[k] = v
		}
	}
	e.Metadata = kept
}

// DropInternal removes the metadata only the emitter and the deduplication
// need (the token), before the event goes to any provider.
func DropInternal(e *eventv1.Event) {
	delete(e.Metadata, groupPrefix(e)+eventv1.MetaTokenKey)
}

// Conflict is a metadata key set by more than one source, the later
// overriding the earlier.
type Conflict struct {
	Key     string
	Sources []string
}

// The sources of a notification's metadata, lowest precedence first, named
// as Flux names them in its warning.
const (
	SourceAnnotations   = "involved object annotations"
	SourceAlertMetadata = "Alert object .spec.eventMetadata"
	SourceAlertSummary  = "Alert object .spec.summary"
	SourceController    = "involved object controller metadata"
)

// Combine builds the metadata a provider receives for one Alert, with the
// group prefixes removed. From lowest to highest precedence (Flux's RFC
// 0008): the object's event.toolkit.fluxcd.io/ annotations, the Alert's
// eventMetadata, its summary (key "summary"), and what the object's
// controller set. It returns the keys more than one source set.
func Combine(e *eventv1.Event, alertMetadata map[string]string, summary string) (map[string]string, []Conflict) {
	out := map[string]string{}
	sources := map[string][]string{}
	set := func(k, v, source string) {
		out[k] = v
		sources[k] = append(sources[k], source)
	}
	for k, v := range e.Metadata {
		if rest, ok := strings.CutPrefix(k, eventv1.Group+"/"); ok {
			set(rest, v, SourceAnnotations)
		}
	}
	for k, v := range alertMetadata {
		set(k, v, SourceAlertMetadata)
	}
	if summary != "" {
		set("summary", summary, SourceAlertSummary)
	}
	prefix := groupPrefix(e)
	for k, v := range e.Metadata {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			set(rest, v, SourceController)
		}
	}
	var conflicts []Conflict
	for k, s := range sources {
		if len(s) > 1 {
			conflicts = append(conflicts, Conflict{Key: k, Sources: s})
		}
	}
	sort.Slice(conflicts, func(i, j int) bool { return conflicts[i].Key < conflicts[j].Key })
	return out, conflicts
}
