package kustomization

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// A Kustomization of an OCIRepository is applied like one of a
// GitRepository: fetched, digest-checked, unpacked and applied, again at
// once on a new artifact; the artifact's origin revision (the
// org.opencontainers.image.revision annotation) becomes
// status.lastAppliedOriginRevision, as in Flux.
func TestOCIRepositorySource(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := &sourcev1.OCIRepository{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "oci-", Namespace: ns},
		Spec: sourcev1.OCIRepositorySpec{
			URL: "oci://registry.example.com/fleet/apps", Interval: &metav1.Duration{Duration: time.Hour},
		},
	}
	create(t, repo)
	first := ociArtifact(t, "v1", "main@sha1:1111111111111111111111111111111111111111",
		map[string]string{"web.yaml": configMapYAML("web", "v1")})
	setOCIArtifact(t, repo, first)

	ks := &kustomizev1.Kustomization{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "ks-", Namespace: ns},
		Spec: kustomizev1.KustomizationSpec{
			Interval: metav1.Duration{Duration: time.Hour}, Timeout: &metav1.Duration{Duration: 30 * time.Second},
			Prune: true, TargetNamespace: ns,
			SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: sourcev1.OCIRepositoryKind, Name: repo.Name},
		},
	}
	create(t, ks)
	waitApplied(t, ks, first)
	g.Expect(ks.Status.LastAppliedOriginRevision).To(Equal("main@sha1:1111111111111111111111111111111111111111"))
	g.Expect(configMap(t, ns, "web").Data).To(HaveKeyWithValue("key", "v1"))
	g.Expect(ks.Status.History).NotTo(BeEmpty())
	g.Expect(ks.Status.History[0].Metadata).To(HaveKeyWithValue("originRevision", "main@sha1:1111111111111111111111111111111111111111"))

	// A new artifact is applied at once (the source watch), without a
	// reconcile request; one without origin revision clears it.
	second := ociArtifact(t, "v2", "", map[string]string{"web.yaml": configMapYAML("web", "v2")})
	setOCIArtifact(t, repo, second)
	waitApplied(t, ks, second)
	g.Expect(ks.Status.LastAppliedOriginRevision).To(BeEmpty())
	g.Expect(configMap(t, ns, "web").Data).To(HaveKeyWithValue("key", "v2"))

	// The digest is checked as for Git artifacts: a mismatch is refused and
	// what is applied stays.
	bad := ociArtifact(t, "v3", "main@sha1:3333333333333333333333333333333333333333",
		map[string]string{"web.yaml": configMapYAML("web", "v3")})
	bad.Digest = "sha256:" + strings.Repeat("0", 64)
	setOCIArtifact(t, repo, bad)
	msg := waitFailed(t, ks, kustomizev1.ArtifactFailedReason)
	g.Expect(msg).To(ContainSubstring("digest"))
	g.Expect(ks.Status.LastAppliedRevision).To(Equal(second.Revision))
	g.Expect(configMap(t, ns, "web").Data).To(HaveKeyWithValue("key", "v2"))
}

// ociArtifact publishes files as an OCIRepository artifact of tag, with
// originRevision as its metadata's org.opencontainers.image.revision.
func ociArtifact(t *testing.T, tag, originRevision string, files map[string]string) meta.Artifact {
	t.Helper()
	a := env.artifacts.publish("", tarball(t, files))
	a.Revision = tag + "@" + a.Digest
	a.Metadata = map[string]string{"org.opencontainers.image.source": "https://github.com/example/fleet"}
	if originRevision != "" {
		a.Metadata["org.opencontainers.image.revision"] = originRevision
	}
	return a
}

// setOCIArtifact writes a into the OCIRepository's status, as Tide's (or
// Flux's) source-controller would.
func setOCIArtifact(t *testing.T, repo *sourcev1.OCIRepository, a meta.Artifact) {
	t.Helper()
	ctx := context.Background()
	NewWithT(t).Eventually(func() error {
		if err := env.cp.Client.Get(ctx, client.ObjectKeyFromObject(repo), repo); err != nil {
			return err
		}
		repo.Status.Artifact = &a
		conditions.MarkTrue(repo, meta.ReadyCondition, meta.SucceededReason, "stored artifact for revision '%s'", a.Revision)
		return env.cp.Client.Status().Update(ctx, repo)
	}, testkit.Timeout).Should(Succeed())
}
