package event

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
)

// Key identifies an event for deduplication, as Flux keys it: the object
// (name, namespace, kind), the message and, when the emitter set them under
// its API group, the origin revision, revision and token, each part labelled
// so that no two parts can be confused. Two events with equal keys within
// the rate-limit interval are one notification.
func Key(e *eventv1.Event) string {
	parts := []string{
		"event",
		"name=" + e.InvolvedObject.Name,
		"namespace=" + e.InvolvedObject.Namespace,
		"kind=" + e.InvolvedObject.Kind,
		"message=" + e.Message,
	}
	prefix := groupPrefix(e)
	for _, k := range []string{eventv1.MetaOriginRevisionKey, eventv1.MetaRevisionKey, eventv1.MetaTokenKey} {
		if v, ok := e.Metadata[prefix+k]; ok {
			parts = append(parts, k+"="+v)
		}
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "/")))
	return hex.EncodeToString(sum[:])
}

// groupPrefix is "<API group of the involved object>/", the prefix Flux
// controllers put on the metadata keys they set.
func groupPrefix(e *eventv1.Event) string {
	return e.InvolvedObject.GroupVersionKind().Group + "/"
}
