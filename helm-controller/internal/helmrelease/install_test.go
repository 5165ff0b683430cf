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
	"github.com/tidegitops/tide/helm-controller/naming"
	"github.com/tidegitops/tide/testkit"
)

// A HelmRelease is installed, upgraded on a new chart version, on new
// values and on a changed valuesFrom ConfigMap, and uninstalled when
// deleted; status and events say what happened as Flux's do.
func TestInstallUpgradeUninstall(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})

	hr := newRelease(ns, "app", hc.Name)
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)
	g.Expect(configMapData(t, ns, "app")).To(HaveKeyWithValue("greeting", "hello"))
	svc := &corev1.Service{}
	g.Expect(env.cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "app"}, svc)).To(Succeed())
	g.Expect(hr.Status.History).To(HaveLen(1))
	snap := hr.Status.History.Latest()
	g.Expect(snap.Name).To(Equal("app"))
	g.Expect(snap.Version).To(Equal(1))
	g.Expect(snap.Status).To(Equal("deployed"))
	g.Expect(snap.ChartVersion).To(Equal("1.0.0"))
	g.Expect(snap.AppVersion).To(Equal("app-1.0.0"))
	g.Expect(snap.Action).To(Equal(helmv2.ReleaseActionInstall))
	g.Expect(hr.Status.LastAttemptedRevision).To(Equal("1.0.0"))
	g.Expect(hr.Status.LastAttemptedConfigDigest).To(Equal(snap.ConfigDigest))
	g.Expect(hr.Status.LastAttemptedReleaseAction).To(Equal(helmv2.ReleaseActionInstall))
	g.Expect(hr.Status.StorageNamespace).To(Equal(ns))
	g.Expect(hr.Status.ObservedGeneration).To(Equal(hr.Generation))
	g.Expect(conditionReason(hr, helmv2.ReleasedCondition)).To(Equal(helmv2.InstallSucceededReason))
	g.Expect(conditionMessage(hr, meta.ReadyCondition)).To(Equal(
		"Helm install succeeded for release " + ns + "/app.v1 with chart app@1.0.0"))
	waitEvent(t, hr, "Normal InstallSucceeded", "app@1.0.0")
	_, annotations := eventsOf(t, hr)
	g.Expect(annotations).To(ContainElement(SatisfyAll(
		HaveKeyWithValue("helm.toolkit.fluxcd.io/revision", "1.0.0"),
		HaveKeyWithValue("helm.toolkit.fluxcd.io/app-version", "app-1.0.0"),
		HaveKeyWithValue("helm.toolkit.fluxcd.io/token", snap.ConfigDigest),
	)))

	// A new chart version is upgraded to.
	setChartArtifact(t, hc, testChart{name: "app", version: "1.1.0"})
	waitReady(t, hr, metav1.ConditionTrue, helmv2.UpgradeSucceededReason)
	g.Eventually(func() string { return configMapData(t, ns, "app")["version"] }, testkit.Timeout).Should(Equal("1.1.0"))
	g.Expect(hr.Status.History.Latest().Version).To(Equal(2))
	g.Expect(hr.Status.History.Latest().Action).To(Equal(helmv2.ReleaseActionUpgrade))
	waitEvent(t, hr, "Normal UpgradeSucceeded", ns+"/app.v2", "app@1.1.0")

	// New values are upgraded to.
	update(t, hr, func(hr *helmv2.HelmRelease) { hr.Spec.Values = jsonValues(t, "greeting: hi") })
	g.Eventually(func() string { return configMapData(t, ns, "app")["greeting"] }, testkit.Timeout).Should(Equal("hi"))
	waitReady(t, hr, metav1.ConditionTrue, helmv2.UpgradeSucceededReason)
	g.Eventually(func() int {
		_ = env.cp.Client.Get(ctx, client.ObjectKeyFromObject(hr), hr)
		return hr.Status.History.Latest().Version
	}, testkit.Timeout).Should(Equal(3))

	// A change to a valuesFrom ConfigMap is upgraded to at the next
	// reconciliation; the targetPath value wins over spec.values.
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "values", Labels: map[string]string{meta.LabelKeyWatch: meta.LabelValueWatchEnabled}},
		Data:       map[string]string{"greeting": "from-configmap"},
	}
	create(t, cm)
	update(t, hr, func(hr *helmv2.HelmRelease) {
		hr.Spec.ValuesFrom = []helmv2.ValuesReference{{Kind: "ConfigMap", Name: "values", ValuesKey: "greeting", TargetPath: "greeting"}}
	})
	g.Eventually(func() string { return configMapData(t, ns, "app")["greeting"] }, testkit.Timeout).Should(Equal("from-configmap"), func() string { return readyMessage(t, hr) })
	// Labelled reconcile.fluxcd.io/watch: Enabled, its change is released
	// at once.
	cm.Data["greeting"] = "changed"
	g.Expect(env.cp.Client.Update(ctx, cm)).To(Succeed())
	g.Eventually(func() string { return configMapData(t, ns, "app")["greeting"] }, testkit.Timeout).Should(Equal("changed"))

	g.Eventually(func() int {
		_ = env.cp.Client.Get(ctx, client.ObjectKeyFromObject(hr), hr)
		return hr.Status.History.Latest().Version
	}, testkit.Timeout).Should(Equal(5))

	// Nothing changed: no new release.
	requestReconcile(t, hr)
	g.Expect(hr.Status.History.Latest().Version).To(Equal(5))
	g.Expect(conditionReason(hr, meta.ReadyCondition)).To(Equal(helmv2.UpgradeSucceededReason))

	// Deletion uninstalls the release and its records.
	g.Expect(env.cp.Client.Delete(ctx, hr)).To(Succeed())
	testkit.WaitForDeletion(t, env.cp.Client, hr)
	g.Expect(configMapData(t, ns, "app")).To(BeNil())
	g.Expect(env.cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "app"}, &corev1.Service{})).NotTo(Succeed())
	var secrets corev1.SecretList
	g.Expect(env.cp.Client.List(ctx, &secrets, client.InNamespace(ns), client.MatchingLabels{"owner": "helm"})).To(Succeed())
	g.Expect(secrets.Items).To(BeEmpty())
}

// A release name longer than Helm's 53 characters is shortened by Flux's
// rule, and the release goes to targetNamespace while its records stay in
// storageNamespace.
func TestReleaseNameTargetAndStorageNamespace(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	target := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})

	name := "a-helmrelease-with-a-name-long-enough-to-need-shortening"
	hr := newRelease(ns, name, hc.Name)
	hr.Spec.TargetNamespace = target
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)
	want := naming.ReleaseName(target + "-" + name)
	g.Expect(len(want)).To(Equal(53))
	g.Expect(hr.Status.History.Latest().Name).To(Equal(want))
	g.Expect(hr.Status.History.Latest().Namespace).To(Equal(target))
	g.Expect(configMapData(t, target, want)).NotTo(BeNil())
	var secrets corev1.SecretList
	g.Expect(env.cp.Client.List(context.Background(), &secrets, client.InNamespace(ns), client.MatchingLabels{"owner": "helm", "name": want})).To(Succeed())
	g.Expect(secrets.Items).To(HaveLen(1))
}

// A suspended HelmRelease is not installed.
func TestSuspend(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.Suspend = true
	create(t, hr)
	g.Consistently(func() map[string]string { return configMapData(t, ns, "app") }, "2s").Should(BeNil())
	update(t, hr, func(hr *helmv2.HelmRelease) { hr.Spec.Suspend = false })
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)
}
