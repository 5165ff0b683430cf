package kustomization

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// A new revision that changes nothing the Kustomization's build reads runs
// no build, no dry-run and no apply, and is recorded as applied; a change
// under its path, in a base outside it, in its spec, or in a substituteFrom
// value each builds (and applies) again.
func TestUnchangedInputsSkipBuild(t *testing.T) {
	s := startShard(t, "build-skip", shardOptions{factor: 10})
	ns := testkit.NewNamespace(t, env.cp.Client)
	ctx := context.Background()
	g := NewWithT(t)
	vars := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "vars", Namespace: ns}, Data: map[string]string{"greeting": "hello"}}
	create(t, vars)
	files := map[string]string{
		"apps/web/kustomization.yaml": "resources:\n- ../../base\n- cm.yaml\n",
		"apps/web/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  key: ${greeting}\n",
		"base/kustomization.yaml":     "resources:\n- sa.yaml\n",
		"base/sa.yaml":                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: base\n",
		"apps/other/cm.yaml":          configMapYAML("other", "v1"),
	}
	repo := newSource(t, ns, files)
	ks := newKustomization(t, repo, onShard("build-skip"), func(ks *kustomizev1.Kustomization) {
		ks.Spec.Path = "apps/web"
		ks.Spec.PostBuild = &kustomizev1.PostBuild{
			SubstituteFrom: []kustomizev1.SubstituteReference{{Kind: "ConfigMap", Name: "vars"}}}
	})
	waitApplied(t, ks, *repo.Status.Artifact)
	builds := func() int64 { return s.reconciler.builds.runs.Load() }
	other := 1
	otherApp := func() {
		other++
		files["apps/other/cm.yaml"] = configMapYAML("other", "v"+string(rune('0'+other)))
	}

	// Another app of the monorepo changes.
	n, mark := builds(), s.requests.mark()
	otherApp()
	next := commit(t, repo, files)
	waitApplied(t, ks, next)
	g.Expect(builds()).To(Equal(n), "a revision that changes nothing this Kustomization reads was built")
	dryRuns, others := s.requests.objectRequests(ns, mark, "/configmaps/vars")
	g.Expect([]int{dryRuns, others}).To(Equal([]int{0, 0}), "requests about the objects of an unchanged build")
	g.Expect(ks.Status.History[0].Metadata).To(HaveKeyWithValue("revision", next.Revision))

	rebuilt := func(what string, change func()) {
		t.Helper()
		n := builds()
		change()
		g.Expect(builds()).To(BeNumerically(">", n), what+" did not build again")
	}
	rebuilt("a change under spec.path", func() {
		files["apps/web/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  key: ${greeting}-2\n"
		waitApplied(t, ks, commit(t, repo, files))
		waitConfigMapValue(t, ns, "web", "hello-2", testkit.Timeout)
	})
	rebuilt("a change in a base outside spec.path", func() {
		files["base/sa.yaml"] = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: base\n  labels:\n    tier: base\n"
		waitApplied(t, ks, commit(t, repo, files))
		g.Eventually(func() map[string]string {
			sa := &corev1.ServiceAccount{}
			_ = env.cp.Client.Get(ctx, keyIn(ns, "base"), sa)
			return sa.Labels
		}, testkit.Timeout).Should(HaveKeyWithValue("tier", "base"))
	})
	rebuilt("a change of the spec", func() {
		updateSpec(t, ks, func(spec *kustomizev1.KustomizationSpec) {
			spec.PostBuild.Substitute = map[string]string{"greeting": "hi"}
		})
		waitConfigMapValue(t, ns, "web", "hi-2", testkit.Timeout)
		updateSpec(t, ks, func(spec *kustomizev1.KustomizationSpec) { spec.PostBuild.Substitute = nil })
		waitConfigMapValue(t, ns, "web", "hello-2", testkit.Timeout)
	})
	rebuilt("a change of a substituteFrom value", func() {
		g.Expect(env.cp.Client.Get(ctx, keyIn(ns, "vars"), vars)).To(Succeed())
		vars.Data["greeting"] = "bye"
		g.Expect(env.cp.Client.Update(ctx, vars)).To(Succeed())
		otherApp() // a new revision, that changes nothing the build reads
		waitApplied(t, ks, commit(t, repo, files))
		waitConfigMapValue(t, ns, "web", "bye-2", testkit.Timeout)
	})

	n = builds()
	otherApp()
	waitApplied(t, ks, commit(t, repo, files))
	g.Expect(builds()).To(Equal(n), "after the changes, an unchanged build ran again")
}
