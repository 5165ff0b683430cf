package clusterdiff_test

import (
	"encoding/base64"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/tidegitops/tide/cli/internal/clusterdiff"
)

var initial = map[string]string{
	"kustomization.yaml": "resources: [web.yaml, old.yaml, secret.yaml]\n",
	"web.yaml":           configMap("web", "blue"),
	"old.yaml":           configMap("old", "grey"),
	"secret.yaml":        secret("hunter2"),
}

func TestDiffNoChanges(t *testing.T) {
	g := NewWithT(t)
	f := newFixture(t, initial)
	out, err := f.diff()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(out).To(Equal("✔ no changes: the cluster matches the build of Kustomization '" + f.ns + "/apps'\n"))
}

func TestDiffChanges(t *testing.T) {
	g := NewWithT(t)
	f := newFixture(t, initial)
	f.write("web.yaml", configMap("web", "green"))
	f.write("new.yaml", configMap("new", "red"))
	f.write("kustomization.yaml", "resources: [web.yaml, new.yaml, secret.yaml]\n") // old.yaml removed

	out, err := f.diff()
	g.Expect(err).To(MatchError(clusterdiff.ErrDifferences))
	g.Expect(out).To(ContainSubstring("► ConfigMap/" + f.ns + "/web drifted\n"))
	g.Expect(out).To(ContainSubstring("--- live\n+++ merged\n"))
	g.Expect(out).To(ContainSubstring("-  color: blue\n+  color: green\n"))
	g.Expect(out).To(ContainSubstring("► ConfigMap/" + f.ns + "/new created\n"))
	g.Expect(out).To(ContainSubstring("► ConfigMap/" + f.ns + "/old deleted\n"))
	g.Expect(out).NotTo(ContainSubstring("Secret"), "the secret did not change")
	g.Expect(out).NotTo(ContainSubstring("managedFields"))
	g.Expect(out).NotTo(ContainSubstring("resourceVersion"))
}

func TestDiffSecretIsMasked(t *testing.T) {
	g := NewWithT(t)
	f := newFixture(t, initial)
	f.write("secret.yaml", secret("correct-horse"))

	out, err := f.diff()
	g.Expect(err).To(MatchError(clusterdiff.ErrDifferences))
	g.Expect(out).To(ContainSubstring("► Secret/" + f.ns + "/creds drifted\n"))
	g.Expect(out).To(ContainSubstring("-  password: '*** (before)'\n+  password: '*** (after)'\n"))
	g.Expect(out).To(ContainSubstring("   user: '***'\n"), "unchanged keys are masked too")
	for _, value := range []string{"hunter2", "correct-horse", "admin"} {
		g.Expect(out).NotTo(ContainSubstring(value))
		g.Expect(out).NotTo(ContainSubstring(base64.StdEncoding.EncodeToString([]byte(value))))
	}
}

func TestDiffLocalKustomizationFileKeepsClusterInventory(t *testing.T) {
	g := NewWithT(t)
	f := newFixture(t, initial)
	f.write("kustomization.yaml", "resources: [web.yaml, secret.yaml]\n")
	f.write("ks.yaml", "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n"+
		"spec:\n  prune: true\n  targetNamespace: "+f.ns+"\n")
	// ks.yaml lies in the folder, but is not a resource of its kustomization.

	out, err := f.diffWith("--kustomization-file", f.dir+"/ks.yaml")
	g.Expect(err).To(MatchError(clusterdiff.ErrDifferences))
	g.Expect(out).To(Equal("► ConfigMap/" + f.ns + "/old deleted\n"))
}

// Fields of spec.ignore are left out of the diff: the controller would
// neither set nor correct them.
func TestDiffLeavesOutIgnoredFields(t *testing.T) {
	g := NewWithT(t)
	f := newFixture(t, initial)
	f.write("web.yaml", configMap("web", "green"))
	f.write("ks.yaml", "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n"+
		"spec:\n  prune: true\n  targetNamespace: "+f.ns+"\n  ignore:\n  - paths: [/data/color]\n    target: {kind: ConfigMap, name: web}\n")

	out, err := f.diffWith("--kustomization-file", f.dir+"/ks.yaml")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(out).To(ContainSubstring("no changes"))
}
