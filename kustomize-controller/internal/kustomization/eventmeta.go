package kustomization

import (
	"crypto/rand"
	"fmt"
)

// eventMetadata is the metadata of the outcome's event, as Flux's
// kustomize-controller sends it: the source revision and, for an OCI
// artifact built from Git, the origin revision.
func (s *scope) eventMetadata() map[string]string {
	if s.artifact.Revision == "" {
		return nil
	}
	return map[string]string{
		"revision":       s.artifact.Revision,
		"originRevision": originRevision(s.artifact),
	}
}

// successMetadata goes with the success event only, as Flux sends it:
// commit_status: update (the Git providers post a commit status for it,
// the others skip it) and a token of its own, a random UUID, which the
// notification-controller's rate limiter keys on so that each success
// gets through.
func successMetadata() map[string]string {
	return map[string]string{"commit_status": "update", "token": randomUUID()}
}

// randomUUID is a version 4 UUID, as Flux's token.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics instead)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
