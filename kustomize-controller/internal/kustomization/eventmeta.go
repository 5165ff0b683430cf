package kustomization

import (
	"crypto/rand"
	"fmt"

	"github.com/fluxcd/pkg/runtime/conditions"
)

// eventMetadata is the metadata of the outcome's event, as Flux's
// kustomize-controller sends it: the source revision and, for an OCI
// artifact built from Git, the origin revision; a success event also
// carries commit_status: update (Git providers post a commit status for
// it, chat providers skip it) and a token of its own, a random UUID, which
// the notification-controller's rate limiter keys on so that each success
// gets through.
func (s *scope) eventMetadata() map[string]string {
	if s.artifact.Revision == "" {
		return nil
	}
	m := map[string]string{
		"revision":       s.artifact.Revision,
		"originRevision": originRevision(s.artifact),
	}
	if conditions.IsReady(s.obj) {
		m["commit_status"] = "update"
		m["token"] = randomUUID()
	}
	return m
}

// randomUUID is a version 4 UUID, as Flux's token.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics instead)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
