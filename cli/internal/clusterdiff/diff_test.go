package clusterdiff_test

import (
	"context"
	"encoding/base64"
	"testing"

	. "github.com/onsi/gomega"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"

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

// A ClusterRole named with ':' has the id "_tide__reader_..." in the
// inventory, as Flux writes it: the diff matches it with the build's
// ClusterRole, and reports it deleted only once it leaves the build.
func TestDiffClusterRoleNamedWithColon(t *testing.T) {
	files := map[string]string{
		"kustomization.yaml": "resources: [web.yaml, role.yaml]\n",
		"web.yaml":           configMap("web", "blue"),
		"role.yaml":          clusterRole("tide:reader"),
	}
	deleteClusterRole := func() {
		role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "tide:reader"}}
		if err := cp.Client.Delete(context.Background(), role); client.IgnoreNotFound(err) != nil {
			t.Error(err)
		}
	}

	t.Run("still in the build", func(t *testing.T) {
		g := NewWithT(t)
		t.Cleanup(deleteClusterRole)
		f := newFixture(t, files)
		ks := &kustomizev1.Kustomization{}
		g.Expect(cp.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: "apps"}, ks)).To(Succeed())
		g.Expect(ks.Status.Inventory.Entries).To(ContainElement(kustomizev1.ResourceRef{
			ID: "_tide__reader_rbac.authorization.k8s.io_ClusterRole", Version: "v1"}))

		out, err := f.diff()
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(out).To(Equal("✔ no changes: the cluster matches the build of Kustomization '" + f.ns + "/apps'\n"))
	})

	t.Run("gone from the build", func(t *testing.T) {
		g := NewWithT(t)
		t.Cleanup(deleteClusterRole)
		f := newFixture(t, files)
		f.write("kustomization.yaml", "resources: [web.yaml]\n")

		out, err := f.diff()
		g.Expect(err).To(MatchError(clusterdiff.ErrDifferences))
		g.Expect(out).To(Equal("► ClusterRole/tide:reader deleted\n"))
	})
}
