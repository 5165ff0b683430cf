package event

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
)

func kustomizationEvent(metadata map[string]string) *eventv1.Event {
	return &eventv1.Event{
		InvolvedObject: corev1.ObjectReference{APIVersion: "kustomize.toolkit.fluxcd.io/v1", Kind: "Kustomization", Namespace: "apps", Name: "web"},
		Message:        "applied", Metadata: metadata,
	}
}

// The key is Flux's: labelled parts joined by "/", hashed with SHA-256.
func TestKeyAsFluxKeysEvents(t *testing.T) {
	g := NewWithT(t)
	e := kustomizationEvent(map[string]string{
		"kustomize.toolkit.fluxcd.io/revision": "main@sha1:abc", "kustomize.toolkit.fluxcd.io/token": "t1",
		"kustomize.toolkit.fluxcd.io/originRevision": "o1", "other": "ignored",
	})
	sum := sha256.Sum256([]byte("event/name=web/namespace=apps/kind=Kustomization/message=applied/originRevision=o1/revision=main@sha1:abc/token=t1"))
	g.Expect(Key(e)).To(Equal(hex.EncodeToString(sum[:])))
	g.Expect(Key(kustomizationEvent(nil))).NotTo(Equal(Key(e)))
}

func TestCleanAndCombine(t *testing.T) {
	g := NewWithT(t)
	e := kustomizationEvent(map[string]string{
		"kustomize.toolkit.fluxcd.io/revision": "r", "kustomize.toolkit.fluxcd.io/Checksum": "c",
		"kustomize.toolkit.fluxcd.io/digest": "d", "event.toolkit.fluxcd.io/team": "blue", "source.toolkit.fluxcd.io/revision": "other group",
	})
	Clean(e)
	g.Expect(e.Metadata).To(Equal(map[string]string{"kustomize.toolkit.fluxcd.io/revision": "r", "event.toolkit.fluxcd.io/team": "blue"}))
	e.Metadata["event.toolkit.fluxcd.io/revision"] = "from annotation"
	got, conflicts := Combine(e, map[string]string{"team": "red", "cluster": "dev"}, "prod")
	g.Expect(got).To(Equal(map[string]string{"revision": "r", "team": "red", "cluster": "dev", "summary": "prod"}))
	g.Expect(conflicts).To(Equal([]Conflict{
		{Key: "revision", Sources: []string{SourceAnnotations, SourceController}},
		{Key: "team", Sources: []string{SourceAnnotations, SourceAlertMetadata}},
	}))
}
