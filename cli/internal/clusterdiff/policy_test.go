package clusterdiff_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/cli/internal/clusterdiff"
)

// The per-object settings are read from labels as well as annotations, on
// the object in the cluster: there a label kustomize.toolkit.fluxcd.io/ssa:
// Ignore keeps the controller from applying or pruning the object, and
// kustomize.toolkit.fluxcd.io/prune: disabled from pruning it, so the diff
// shows neither as changed or deleted.
func TestDiffHonoursLabelsOnLiveObjects(t *testing.T) {
	g := NewWithT(t)
	f := newFixture(t, map[string]string{
		"kustomization.yaml": "resources: [web.yaml, old.yaml, kept.yaml, moved.yaml]\n",
		"web.yaml":           configMap("web", "blue"),
		"old.yaml":           configMap("old", "grey"),
		"kept.yaml":          configMap("kept", "grey"),
		"moved.yaml":         configMap("moved", "grey"),
	})
	label := func(name, key, value string) {
		cm := &corev1.ConfigMap{}
		g.Expect(cp.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: name}, cm)).To(Succeed())
		cm.Labels[key] = value
		g.Expect(cp.Client.Update(context.Background(), cm)).To(Succeed())
	}
	label("web", "kustomize.toolkit.fluxcd.io/ssa", "Ignore")
	label("old", "kustomize.toolkit.fluxcd.io/ssa", "Ignore")
	label("kept", "kustomize.toolkit.fluxcd.io/prune", "disabled")
	f.write("web.yaml", configMap("web", "green"))
	f.write("kustomization.yaml", "resources: [web.yaml]\n") // old, kept and moved removed

	out, err := f.diff()
	// Only the unprotected object removed from Git is deleted: the test
	// fails, rather than passing vacuously, if the diff finds nothing.
	g.Expect(err).To(MatchError(clusterdiff.ErrDifferences))
	g.Expect(out).To(Equal("► ConfigMap/" + f.ns + "/moved deleted\n"))
}

// `tide diff` builds as the controller does, so it refuses a build with
// SOPS ciphertext rather than dry-running it against the cluster.
func TestDiffRefusesSOPSEncrypted(t *testing.T) {
	g := NewWithT(t)
	f := newFixture(t, initial)
	f.write("secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n"+
		"stringData:\n  password: ENC[AES256_GCM,data:c2VjcmV0,iv:aXY=,tag:dGFn,type:str]\nsops:\n  version: 3.9.0\n")

	out, err := f.diff()
	g.Expect(err).To(HaveOccurred())
	g.Expect(err).NotTo(MatchError(clusterdiff.ErrDifferences))
	g.Expect(err.Error()).To(ContainSubstring("Secret/" + f.ns + "/creds is SOPS-encrypted"))
	g.Expect(err.Error()).To(ContainSubstring("Set spec.decryption"))
	g.Expect(out).To(BeEmpty())
}
