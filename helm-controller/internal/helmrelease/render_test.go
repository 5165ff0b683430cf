package helmrelease

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/helm-controller/postrender"
	"github.com/tidegitops/tide/testkit"
)

// greetingPatch is a JSON 6902 post-renderer setting the ConfigMap's
// greeting.
func greetingPatch(greeting string) []helmv2.PostRenderer {
	return []helmv2.PostRenderer{{Kustomize: &helmv2.Kustomize{Patches: []kustomizev1.Patch{
		{Patch: `[{"op": "replace", "path": "/data/greeting", "value": "` + greeting + `"}]`,
			Target: &kustomizev1.Selector{Kind: "ConfigMap"}},
		// A strategic merge patch, its target read from the patch.
		{Patch: "apiVersion: v1\nkind: Service\nmetadata:\n  name: app\n  labels:\n    patched: \"yes\"\n"},
	}}}}
}

func objectMeta(t *testing.T, obj client.Object) metav1.ObjectMeta {
	t.Helper()
	_ = env.cp.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
	return metav1.ObjectMeta{Labels: obj.GetLabels(), Annotations: obj.GetAnnotations()}
}

// spec.postRenderers and spec.commonMetadata change what is released, as
// Flux's post-renderers do; a change of either is released by an upgrade,
// its digest written to status; a patch that does not apply fails the
// upgrade with a message naming it, and the last good release keeps
// running.
func TestPostRenderersAndCommonMetadata(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.PostRenderers = greetingPatch("patched")
	hr.Spec.CommonMetadata = &helmv2.CommonMetadata{
		Labels:      map[string]string{"team": "platform"},
		Annotations: map[string]string{"owner": "ops@example.com"},
	}
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)

	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "app"}}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "app"}}
	g.Expect(configMapData(t, ns, "app")).To(HaveKeyWithValue("greeting", "patched"))
	for _, obj := range []client.Object{cm, svc} {
		m := objectMeta(t, obj)
		g.Expect(m.Labels).To(SatisfyAll(
			HaveKeyWithValue("team", "platform"),
			// Flux's origin labels, on every object.
			HaveKeyWithValue("helm.toolkit.fluxcd.io/name", "app"),
			HaveKeyWithValue("helm.toolkit.fluxcd.io/namespace", ns)), obj.GetObjectKind())
		g.Expect(m.Annotations).To(HaveKeyWithValue("owner", "ops@example.com"))
	}
	g.Expect(objectMeta(t, svc).Labels).To(HaveKeyWithValue("patched", "yes"))
	g.Expect(hr.Status.ObservedPostRenderersDigest).To(Equal(postrender.Digest(hr.Spec.PostRenderers)))
	g.Expect(hr.Status.ObservedPostRenderersDigest).To(HavePrefix("sha256:"))
	g.Expect(hr.Status.ObservedCommonMetadataDigest).To(Equal(postrender.CommonMetadataDigest(hr.Spec.CommonMetadata)))

	// New post-renderers: an upgrade, with the same chart and values.
	update(t, hr, func(hr *helmv2.HelmRelease) { hr.Spec.PostRenderers = greetingPatch("repatched") })
	g.Eventually(func() string { return configMapData(t, ns, "app")["greeting"] }, testkit.Timeout).Should(Equal("repatched"))
	waitReady(t, hr, metav1.ConditionTrue, helmv2.UpgradeSucceededReason)
	g.Eventually(func() string {
		_ = env.cp.Client.Get(context.Background(), client.ObjectKeyFromObject(hr), hr)
		return hr.Status.ObservedPostRenderersDigest
	}, testkit.Timeout).Should(Equal(postrender.Digest(greetingPatch("repatched"))))
	g.Expect(hr.Status.History.Latest().Version).To(Equal(2))

	// New common metadata: an upgrade too.
	update(t, hr, func(hr *helmv2.HelmRelease) { hr.Spec.CommonMetadata.Labels["team"] = "apps" })
	g.Eventually(func() map[string]string { return objectMeta(t, cm).Labels }, testkit.Timeout).Should(HaveKeyWithValue("team", "apps"))
	g.Eventually(func() int {
		_ = env.cp.Client.Get(context.Background(), client.ObjectKeyFromObject(hr), hr)
		return hr.Status.History.Latest().Version
	}, testkit.Timeout).Should(Equal(3))
	waitReady(t, hr, metav1.ConditionTrue, helmv2.UpgradeSucceededReason)

	// A patch that does not apply: the upgrade fails before anything is
	// released, and says which post-renderer to fix.
	update(t, hr, func(hr *helmv2.HelmRelease) {
		hr.Spec.PostRenderers = append(hr.Spec.PostRenderers, helmv2.PostRenderer{Kustomize: &helmv2.Kustomize{Patches: []kustomizev1.Patch{
			{Patch: `[{"op": "replace", "path": "/spec/no/such/field", "value": 1}]`, Target: &kustomizev1.Selector{Kind: "ConfigMap"}},
		}}})
	})
	waitReady(t, hr, metav1.ConditionFalse, helmv2.UpgradeFailedReason)
	g.Expect(conditionMessage(hr, meta.ReadyCondition)).To(SatisfyAll(
		ContainSubstring("spec.postRenderers[1].kustomize"),
		ContainSubstring("nothing was released: fix spec.postRenderers")))
	waitEvent(t, hr, "Warning UpgradeFailed", "spec.postRenderers[1].kustomize")
	g.Expect(hr.Status.History.Latest().Version).To(Equal(3))
	g.Expect(hr.Status.History.Latest().Status).To(Equal("deployed"))
	g.Expect(configMapData(t, ns, "app")).To(HaveKeyWithValue("greeting", "repatched"))
}

// spec.postRenderStrategy says whether hooks go through the post-renderers:
// by default (Helm 4's combined) a test hook gets the origin labels like
// every object; with nohooks (Helm 3's way) it is left as the chart wrote
// it.
func TestPostRenderStrategy(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0", extra: map[string]string{"test.yaml": passingTest}})
	for _, tt := range []struct {
		name     string
		strategy helmv2.PostRenderStrategy
		labelled bool
	}{{"combined", "", true}, {"nohooks", helmv2.PostRenderStrategyNoHooks, false}} {
		hr := newRelease(ns, tt.name, hc.Name)
		hr.Spec.PostRenderStrategy = tt.strategy
		hr.Spec.Test = &helmv2.Test{Enable: true}
		create(t, hr)
		waitReady(t, hr, metav1.ConditionTrue, helmv2.TestSucceededReason)
		hook := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: tt.name + "-test"}}
		g.Expect(env.cp.Client.Get(context.Background(), client.ObjectKeyFromObject(hook), hook)).To(Succeed())
		_, has := hook.Labels["helm.toolkit.fluxcd.io/name"]
		g.Expect(has).To(Equal(tt.labelled), "%s: hook labels %v", tt.name, hook.Labels)
		g.Expect(objectMeta(t, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: tt.name}}).Labels).
			To(HaveKeyWithValue("helm.toolkit.fluxcd.io/name", tt.name))
	}
}
