package kustomization

import (
	"context"
	"fmt"
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// A commit is applied; the next commit is applied without waiting for the
// interval (the source is watched); a file removed from Git is pruned.
func TestApplyUpdatePrune(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{
		"app/web.yaml": configMapYAML("web", "v1"),
		"app/db.yaml":  configMapYAML("db", "v1"),
	})
	first := *repo.Status.Artifact
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) { k.Spec.Path = "./app" })

	waitApplied(t, ks, first)
	g.Expect(configMap(t, ns, "web").Data).To(HaveKeyWithValue("key", "v1"))
	g.Expect(configMap(t, ns, "web").Labels).To(And(
		HaveKeyWithValue("kustomize.toolkit.fluxcd.io/name", ks.Name),
		HaveKeyWithValue("kustomize.toolkit.fluxcd.io/namespace", ns)))
	g.Expect(ks.Status.Inventory.Entries).To(ConsistOf(
		kustomizev1.ResourceRef{ID: ns + "_db__ConfigMap", Version: "v1"},
		kustomizev1.ResourceRef{ID: ns + "_web__ConfigMap", Version: "v1"}))
	g.Expect(ks.Status.LastAttemptedRevision).To(Equal(first.Revision))
	waitEvent(t, ks, "ConfigMap/"+ns+"/web created")

	second := commit(t, repo, map[string]string{"app/web.yaml": configMapYAML("web", "v2")})
	waitApplied(t, ks, second)
	g.Expect(configMap(t, ns, "web").Data).To(HaveKeyWithValue("key", "v2"))
	g.Expect(configMap(t, ns, "db")).To(BeNil(), "db left Git and must be pruned")
	g.Expect(ks.Status.Inventory.Entries).To(ConsistOf(kustomizev1.ResourceRef{ID: ns + "_web__ConfigMap", Version: "v1"}))
	waitEvent(t, ks, "ConfigMap/"+ns+"/web configured")
	waitEvent(t, ks, "ConfigMap/"+ns+"/db deleted")
	g.Expect(ks.Status.History).To(HaveLen(2))
	g.Expect(ks.Status.History[0].Metadata).To(HaveKeyWithValue("revision", second.Revision))
}

// A change made by hand to an applied object is corrected at the next
// reconciliation and reported.
func TestDriftIsCorrected(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"web.yaml": configMapYAML("web", "from-git")})
	ks := newKustomization(t, repo)
	waitApplied(t, ks, *repo.Status.Artifact)

	cm := configMap(t, ns, "web")
	cm.Data["key"] = "edited-by-hand"
	g.Expect(env.cp.Client.Update(ctx, cm, client.FieldOwner("kubectl-edit"))).To(Succeed())

	requestReconcile(t, ks)
	g.Expect(configMap(t, ns, "web").Data).To(HaveKeyWithValue("key", "from-git"))
	waitEvent(t, ks, "ConfigMap/"+ns+"/web configured")
}

// Without changes in Git or in the cluster, a reconciliation writes nothing
// and downloads nothing again.
func TestUnchangedWritesNothing(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"web.yaml": configMapYAML("web", "v1")})
	ks := newKustomization(t, repo)
	waitApplied(t, ks, *repo.Status.Artifact)
	before := configMap(t, ns, "web").ResourceVersion

	requestReconcile(t, ks)
	requestReconcile(t, ks)
	g.Expect(configMap(t, ns, "web").ResourceVersion).To(Equal(before))
	g.Expect(env.artifacts.downloadsOf(*repo.Status.Artifact)).To(Equal(1))
}

// Many Kustomizations of one source share one download of its artifact.
func TestArtifactDownloadedOncePerDigest(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	files := map[string]string{}
	for _, app := range []string{"a", "b", "c", "d", "e"} {
		files[app+"/cm.yaml"] = configMapYAML("cm-"+app, app)
	}
	repo := newSource(t, ns, files)
	var all []*kustomizev1.Kustomization
	for _, app := range []string{"a", "b", "c", "d", "e"} {
		all = append(all, newKustomization(t, repo, func(k *kustomizev1.Kustomization) { k.Spec.Path = app }))
	}
	for _, ks := range all {
		waitApplied(t, ks, *repo.Status.Artifact)
	}
	g.Expect(env.artifacts.downloadsOf(*repo.Status.Artifact)).To(Equal(1))
	g.Expect(configMap(t, ns, "cm-e").Data).To(HaveKeyWithValue("key", "e"))
}

// A CRD and a custom resource of it, in one build, are applied in stages.
func TestCRDAndCustomResourceInOneBuild(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{
		"crd.yaml": `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.` + ns + `.example.com
spec:
  group: ` + ns + `.example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
`,
		"widget.yaml": "apiVersion: " + ns + ".example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 3\n",
	})
	ks := newKustomization(t, repo)
	waitApplied(t, ks, *repo.Status.Artifact)
	NewWithT(t).Expect(ks.Status.Inventory.Entries).To(ContainElement(
		kustomizev1.ResourceRef{ID: ns + "_w1_" + ns + ".example.com_Widget", Version: "v1"}))
}

// Fields named by spec.ignore are left alone, on the objects the rule
// targets only: a rule added after the field was applied keeps its value
// (the controller gives up owning it rather than removing it), and changes
// made by hand are not reverted; the rest of the object still is.
func TestIgnoreRules(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.cp.Client)
	twoKeys := func(name string) string {
		return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  key: from-git\n  other: from-git\n", name)
	}
	repo := newSource(t, ns, map[string]string{"web.yaml": twoKeys("web"), "db.yaml": twoKeys("db")})
	ks := newKustomization(t, repo)
	waitApplied(t, ks, *repo.Status.Artifact)

	updateSpec(t, ks, func(spec *kustomizev1.KustomizationSpec) {
		spec.Ignore = []kustomizev1.IgnoreRule{{
			Paths: []string{"/data/key"}, Target: &kustomizev1.Selector{Kind: "ConfigMap", Name: "w.*"}}}
	})
	g.Expect(configMap(t, ns, "web").Data).To(HaveKeyWithValue("key", "from-git"), "a newly ignored field is not removed")

	for _, name := range []string{"web", "db"} {
		cm := configMap(t, ns, name)
		cm.Data = map[string]string{"key": "by-hand", "other": "by-hand"}
		g.Expect(env.cp.Client.Update(ctx, cm, client.FieldOwner("kubectl-edit"))).To(Succeed())
	}
	requestReconcile(t, ks)
	g.Expect(configMap(t, ns, "web").Data).To(Equal(map[string]string{"key": "by-hand", "other": "from-git"}))
	g.Expect(configMap(t, ns, "db").Data).To(Equal(map[string]string{"key": "from-git", "other": "from-git"}))
}

// An ignored field inside a list element is released alone (the element
// is found by its key), also under the Merge policy, and once: the next
// reconciliation has nothing to release and writes nothing.
func TestIgnoreRulesInListUnderMerge(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"web.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {kustomize.toolkit.fluxcd.io/ssa: Merge}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: app, image: "app:1"}
`})
	ks := newKustomization(t, repo)
	waitApplied(t, ks, *repo.Status.Artifact)
	image := func() (string, string) {
		d := &appsv1.Deployment{}
		g.Expect(env.cp.Client.Get(ctx, keyIn(ns, "web"), d)).To(Succeed())
		return d.Spec.Template.Spec.Containers[0].Image, d.ResourceVersion
	}

	updateSpec(t, ks, func(spec *kustomizev1.KustomizationSpec) {
		spec.Ignore = []kustomizev1.IgnoreRule{{
			Paths: []string{"/spec/template/spec/containers/0/image"}, Target: &kustomizev1.Selector{Kind: "Deployment"}}}
	})
	got, _ := image()
	g.Expect(got).To(Equal("app:1"), "a newly ignored field is not removed")

	d := &appsv1.Deployment{}
	g.Expect(env.cp.Client.Get(ctx, keyIn(ns, "web"), d)).To(Succeed())
	patch := client.StrategicMergeFrom(d.DeepCopy())
	d.Spec.Template.Spec.Containers[0].Image = "app:2"
	g.Expect(env.cp.Client.Patch(ctx, d, patch, client.FieldOwner("ci-bot"))).To(Succeed())

	requestReconcile(t, ks)
	got, version := image()
	g.Expect(got).To(Equal("app:2"), "the ignored field keeps what another manager set")
	requestReconcile(t, ks)
	_, again := image()
	g.Expect(again).To(Equal(version), "nothing is written when nothing changed")
}
