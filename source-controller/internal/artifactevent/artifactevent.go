// Package artifactevent words a source's success event as Flux's
// source-controller does: reason NewArtifact when the run stored an artifact
// of another digest, with the artifact's revision and digest as metadata.
package artifactevent

import "github.com/fluxcd/pkg/apis/meta"

// NewArtifactReason is the event reason of a newly stored artifact.
const NewArtifactReason = "NewArtifact"

// Reason is the success event's reason for a run that started with before
// and ended with after: NewArtifact when the digest changed, otherwise ""
// (Ready's own reason, as Flux's event on recovery with the same artifact).
func Reason(before, after *meta.Artifact) string {
	if after == nil || (before != nil && before.Digest == after.Digest) {
		return ""
	}
	return NewArtifactReason
}

// Metadata is the event metadata of after, without the group prefix the
// skeleton adds.
func Metadata(after *meta.Artifact) map[string]string {
	if after == nil {
		return nil
	}
	return map[string]string{"revision": after.Revision, "digest": after.Digest}
}
