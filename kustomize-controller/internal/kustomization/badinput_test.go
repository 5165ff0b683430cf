package kustomization

import (
	"archive/tar"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// goodThenBad applies a good revision, then publishes the bad one and waits
// for the failure. It checks what every bad input must leave behind: the
// cluster as the good revision left it, the inventory unchanged, nothing
// pruned, the last applied revision kept, and a warning event.
func goodThenBad(t *testing.T, bad func(*testing.T, *sourcev1.GitRepository) meta.Artifact, reason string, mutate ...func(*kustomizev1.Kustomization)) (string, *kustomizev1.Kustomization) {
	t.Helper()
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{
		"app/web.yaml": configMapYAML("web", "good"),
		"app/db.yaml":  configMapYAML("db", "good"),
	})
	good := *repo.Status.Artifact
	ks := newKustomization(t, repo, append([]func(*kustomizev1.Kustomization){
		func(k *kustomizev1.Kustomization) { k.Spec.Path = "app" }}, mutate...)...)
	waitApplied(t, ks, good)
	inventory := ks.Status.Inventory.DeepCopy()

	broken := bad(t, repo)
	msg := waitFailed(t, ks, reason)
	g.Expect(ks.Status.LastAttemptedRevision).To(Equal(broken.Revision), "written with the failure, in one status write")
	g.Expect(ks.Status.LastAppliedRevision).To(Equal(good.Revision))
	g.Expect(ks.Status.Inventory).To(Equal(inventory))
	g.Expect(configMap(t, ns, "web").Data).To(HaveKeyWithValue("key", "good"))
	g.Expect(configMap(t, ns, "db")).NotTo(BeNil(), "nothing may be pruned after a failure")
	waitEvent(t, ks, "Warning", reason)
	return msg, ks
}

// publishFiles makes a bad input that is a commit of these files.
func publishFiles(files map[string]string) func(*testing.T, *sourcev1.GitRepository) meta.Artifact {
	return func(t *testing.T, repo *sourcev1.GitRepository) meta.Artifact { return commit(t, repo, files) }
}

func TestDigestMismatch(t *testing.T) {
	msg, _ := goodThenBad(t, func(t *testing.T, repo *sourcev1.GitRepository) meta.Artifact {
		a := env.artifacts.publish(nextRevision(), tarball(t, map[string]string{"app/web.yaml": configMapYAML("web", "bad")}))
		a.Digest = "sha256:" + strings.Repeat("0", 64)
		setArtifact(t, repo, a)
		return a
	}, kustomizev1.ArtifactFailedReason)
	NewWithT(t).Expect(msg).To(ContainSubstring("digest"))
}

func TestUnsafeArchives(t *testing.T) {
	for name, entry := range map[string]tarEntry{
		"dot-dot path":     {Header: tar.Header{Name: "../evil.yaml", Mode: 0o644, Typeflag: tar.TypeReg}, Body: configMapYAML("evil", "x")},
		"absolute path":    {Header: tar.Header{Name: "/tmp/evil.yaml", Mode: 0o644, Typeflag: tar.TypeReg}, Body: configMapYAML("evil", "x")},
		"escaping symlink": {Header: tar.Header{Name: "app/passwd.yaml", Linkname: "../../../../etc/passwd", Typeflag: tar.TypeSymlink}},
	} {
		t.Run(name, func(t *testing.T) {
			msg, _ := goodThenBad(t, func(t *testing.T, repo *sourcev1.GitRepository) meta.Artifact {
				a := env.artifacts.publish(nextRevision(), rawTarball(t,
					tarEntry{Header: tar.Header{Name: "app/web.yaml", Mode: 0o644, Typeflag: tar.TypeReg}, Body: configMapYAML("web", "bad")},
					entry))
				setArtifact(t, repo, a)
				return a
			}, kustomizev1.ArtifactFailedReason)
			NewWithT(t).Expect(msg).To(ContainSubstring("unsafe"))
		})
	}
}

func TestOversizedArtifact(t *testing.T) {
	msg, _ := goodThenBad(t, func(t *testing.T, repo *sourcev1.GitRepository) meta.Artifact {
		big := strings.Repeat("x", 2*maxArtifactSize)
		return commit(t, repo, map[string]string{"app/web.yaml": configMapYAML("web", big)})
	}, kustomizev1.ArtifactFailedReason)
	NewWithT(t).Expect(msg).To(ContainSubstring("--max-artifact-size"))
}

func TestPathNotInArtifact(t *testing.T) {
	msg, _ := goodThenBad(t, publishFiles(map[string]string{"other/web.yaml": configMapYAML("web", "bad")}),
		kustomizev1.BuildFailedReason)
	NewWithT(t).Expect(msg).To(ContainSubstring("app"))
}

func TestInvalidYAML(t *testing.T) {
	goodThenBad(t, publishFiles(map[string]string{
		"app/web.yaml": configMapYAML("web", "bad"),
		"app/db.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db\n data: [oops\n",
	}), kustomizev1.BuildFailedReason)
}

func TestKustomizationThatDoesNotBuild(t *testing.T) {
	msg, _ := goodThenBad(t, publishFiles(map[string]string{
		"app/kustomization.yaml": "resources:\n- web.yaml\n- missing.yaml\n",
		"app/web.yaml":           configMapYAML("web", "bad"),
	}), kustomizev1.BuildFailedReason)
	NewWithT(t).Expect(msg).To(ContainSubstring("missing.yaml"))
}

// CVE-2022-24877: a kustomization must not read files outside the artifact.
func TestKustomizationReadingOutsideArtifact(t *testing.T) {
	msg, _ := goodThenBad(t, publishFiles(map[string]string{
		"app/kustomization.yaml": "resources:\n- web.yaml\nconfigMapGenerator:\n- name: stolen\n  files:\n  - ../../../../../../etc/passwd\n",
		"app/web.yaml":           configMapYAML("web", "bad"),
	}), kustomizev1.BuildFailedReason)
	NewWithT(t).Expect(msg).NotTo(ContainSubstring("root:"))
	NewWithT(t).Expect(configMap(t, "default", "stolen")).To(BeNil())
}

func TestRemoteBaseRefused(t *testing.T) {
	msg, _ := goodThenBad(t, publishFiles(map[string]string{
		"app/kustomization.yaml": "resources:\n- web.yaml\n- https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v3.3.1\n",
		"app/web.yaml":           configMapYAML("web", "bad"),
	}), kustomizev1.BuildFailedReason)
	NewWithT(t).Expect(msg).To(ContainSubstring("--no-remote-bases"))
}

// One object the apiserver rejects: it alone is reported, nothing is applied.
func TestRejectedObjectAppliesNothing(t *testing.T) {
	msg, ks := goodThenBad(t, publishFiles(map[string]string{
		"app/web.yaml": configMapYAML("web", "bad"),
		"app/db.yaml":  configMapYAML("db", "bad"),
		"app/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\nspec:\n  ports:\n  - port: 700000\n",
	}), kustomizev1.ReconciliationFailedReason)
	g := NewWithT(t)
	g.Expect(msg).To(And(ContainSubstring("Service/"), ContainSubstring("svc"), Not(ContainSubstring("ConfigMap/"))))
	// The failed build is in the history, newest first, above the good one.
	g.Expect(ks.Status.History).To(HaveLen(2))
	g.Expect(ks.Status.History[0].LastReconciledStatus).To(Equal(kustomizev1.ReconciliationFailedReason))
	g.Expect(ks.Status.History[0].Metadata).To(HaveKeyWithValue("revision", ks.Status.LastAttemptedRevision))
	g.Expect(ks.Status.History[1].LastReconciledStatus).To(Equal(kustomizev1.ReconciliationSucceededReason))
}

func TestMissingSubstitutionVariable(t *testing.T) {
	msg, _ := goodThenBad(t, publishFiles(map[string]string{
		"app/web.yaml": configMapYAML("web", "${GREETING}"),
		"app/db.yaml":  configMapYAML("db", "bad"),
	}), kustomizev1.BuildFailedReason, func(k *kustomizev1.Kustomization) {
		k.Spec.PostBuild = &kustomizev1.PostBuild{Substitute: map[string]string{"OTHER": "x"}}
	})
	NewWithT(t).Expect(msg).To(ContainSubstring("GREETING"))
}

func TestEmptyBuildOverInventoryIsRefused(t *testing.T) {
	msg, _ := goodThenBad(t, publishFiles(map[string]string{
		"app/kustomization.yaml": "resources: []\n",
	}), kustomizev1.PruneFailedReason)
	NewWithT(t).Expect(msg).To(ContainSubstring("--allow-empty-prune"))
}

// SOPS decryption is not implemented: a Kustomization asking for it is
// refused with what to do, and nothing of it is applied (it would be
// ciphertext).
func TestDecryptionIsRefused(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"app/web.yaml": configMapYAML("web", "v1")})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.Path = "app"
		k.Spec.Decryption = &kustomizev1.Decryption{Provider: "sops"}
	})
	msg := waitFailed(t, ks, "DecryptionUnsupported")
	g.Expect(msg).To(And(ContainSubstring("SOPS"), ContainSubstring("nothing is applied")))
	g.Expect(configMap(t, ns, "web")).To(BeNil())
	waitEvent(t, ks, "Warning", "DecryptionUnsupported")
}
