package helmrelease

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	rcommon "helm.sh/helm/v4/pkg/release/common"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/helm-controller/internal/release"
	"github.com/tidegitops/tide/testkit"
)

// A release left pending-upgrade by a crash is unlocked (marked failed)
// and released again, not refused forever with "another operation is in
// progress".
func TestPendingReleaseRecovered(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	hr := newRelease(ns, "app", hc.Name)
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)

	cfg, err := release.NewConfig(env.getter, ns, ns, logr.Discard())
	g.Expect(err).NotTo(HaveOccurred())
	rel, err := release.Last(cfg, "app")
	g.Expect(err).NotTo(HaveOccurred())
	rel.SetStatus(rcommon.StatusPendingUpgrade, "Preparing upgrade")
	g.Expect(cfg.Releases.Update(rel)).To(Succeed())

	update(t, hr, func(hr *helmv2.HelmRelease) { hr.Spec.Values = jsonValues(t, "greeting: after-crash") })
	g.Eventually(func() string { return configMapData(t, ns, "app")["greeting"] }, testkit.Timeout).Should(Equal("after-crash"))
	waitReady(t, hr, metav1.ConditionTrue, helmv2.UpgradeSucceededReason)
	waitEvent(t, hr, "Warning PendingRelease", "Unlocked Helm release app.v1 from stale 'pending-upgrade' state")
	g.Expect(hr.Status.History.Latest().Version).To(Equal(2))
}

// A chart from an OCIRepository carries the artifact's digest in its
// version and in status, as Flux records it.
func TestChartRefOCIRepository(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := &sourcev1.OCIRepository{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "app"},
		Spec:       sourcev1.OCIRepositorySpec{URL: "oci://registry.example/charts/app", Interval: &metav1.Duration{Duration: time.Hour}},
	}
	create(t, repo)
	c := testChart{name: "app", version: "1.0.0"}
	artifact := env.artifacts.publish("/ocirepository/"+ns+"/app/chart.tgz", "", c.archive(t))
	artifact.Revision = "1.0.0@" + artifact.Digest
	setArtifact(t, repo, artifact)

	hr := newRelease(ns, "app", "app")
	hr.Spec.ChartRef.Kind = sourcev1.OCIRepositoryKind
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)
	hex := strings.TrimPrefix(artifact.Digest, "sha256:")
	snap := hr.Status.History.Latest()
	g.Expect(snap.ChartVersion).To(Equal("1.0.0+" + hex[:12]))
	g.Expect(snap.OCIDigest).To(Equal(artifact.Digest))
	g.Expect(hr.Status.LastAttemptedRevision).To(Equal("1.0.0+" + hex[:12]))
	g.Expect(hr.Status.LastAttemptedRevisionDigest).To(Equal(artifact.Digest))
	_, annotations := eventsOf(t, hr)
	g.Expect(annotations).To(ContainElement(HaveKeyWithValue("helm.toolkit.fluxcd.io/oci-digest", artifact.Digest)))

	// A tag whose version differs from the chart's is refused.
	bad := env.artifacts.publish("/ocirepository/"+ns+"/app/chart2.tgz", "", testChart{name: "app", version: "1.0.1"}.archive(t))
	bad.Revision = "2.0.0@" + bad.Digest
	setArtifact(t, repo, bad)
	waitReady(t, hr, metav1.ConditionFalse, chartMutateErrorReason)
	g.Expect(conditionMessage(hr, meta.ReadyCondition)).To(ContainSubstring("artifact revision 2.0.0 does not match chart version 1.0.1"))
	g.Expect(configMapData(t, ns, "app")).To(HaveKeyWithValue("version", "1.0.0+"+hex[:12]))
}

// spec.chart makes the HelmChart <namespace>-<name>, whose artifact is
// released; deleting the HelmRelease deletes it.
func TestChartTemplate(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.cp.Client)
	hr := &helmv2.HelmRelease{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "app"},
		Spec: helmv2.HelmReleaseSpec{
			Interval: metav1.Duration{Duration: time.Hour},
			Chart: &helmv2.HelmChartTemplate{Spec: helmv2.HelmChartTemplateSpec{
				Chart: "app", Version: "1.x",
				SourceRef: &helmv2.CrossNamespaceObjectReference{Kind: "HelmRepository", Name: "charts"},
			}},
		},
	}
	create(t, hr)
	hc := &sourcev1.HelmChart{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: ns + "-app"}}
	g.Eventually(func() error { return env.cp.Client.Get(ctx, client.ObjectKeyFromObject(hc), hc) }, testkit.Timeout).Should(Succeed())
	g.Expect(hc.Spec.Chart).To(Equal("app"))
	waitReady(t, hr, metav1.ConditionFalse, sourceNotReadyReason)

	setChartArtifact(t, hc, testChart{name: "app", version: "1.0.0"})
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)
	g.Expect(hr.Status.HelmChart).To(Equal(ns + "/" + ns + "-app"))

	g.Expect(env.cp.Client.Delete(ctx, hr)).To(Succeed())
	testkit.WaitForDeletion(t, env.cp.Client, hr)
	testkit.WaitForDeletion(t, env.cp.Client, hc)
	g.Expect(configMapData(t, ns, "app")).To(BeNil())
}

// A HelmRelease waits for the HelmReleases it depends on.
func TestDependsOn(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	app := newRelease(ns, "app", hc.Name)
	app.Spec.DependsOn = []helmv2.DependencyReference{{Name: "infra"}}
	create(t, app)
	waitReady(t, app, metav1.ConditionFalse, helmv2.DependencyNotReadyReason)
	g.Expect(conditionMessage(app, meta.ReadyCondition)).To(ContainSubstring("dependency '" + ns + "/infra' is not ready: not found"))
	g.Expect(configMapData(t, ns, "app")).To(BeNil())

	create(t, newRelease(ns, "infra", hc.Name))
	waitReady(t, app, metav1.ConditionTrue, helmv2.InstallSucceededReason)
}

// A new release name uninstalls the release under the old name and
// installs the new one, as Flux does.
func TestReleaseNameChangeReinstalls(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	hr := newRelease(ns, "app", hc.Name)
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)

	update(t, hr, func(hr *helmv2.HelmRelease) { hr.Spec.ReleaseName = "renamed" })
	g.Eventually(func() map[string]string { return configMapData(t, ns, "renamed") }, testkit.Timeout).ShouldNot(BeNil())
	g.Eventually(func() map[string]string { return configMapData(t, ns, "app") }, testkit.Timeout).Should(BeNil())
	g.Eventually(func() string {
		waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)
		if cur := hr.Status.History.Latest(); cur != nil {
			return cur.Name
		}
		return ""
	}, testkit.Timeout).Should(Equal("renamed"))
	g.Expect(hr.Status.History).To(HaveLen(1))
	waitEvent(t, hr, "Normal UninstallSucceeded", ns+"/app.v1")
}

// spec.maxHistory bounds the release records Helm keeps.
func TestMaxHistory(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.MaxHistory = ptrTo(2)
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)
	for _, greeting := range []string{"one", "two", "three"} {
		update(t, hr, func(hr *helmv2.HelmRelease) { hr.Spec.Values = jsonValues(t, "greeting: "+greeting) })
		g.Eventually(func() string { return configMapData(t, ns, "app")["greeting"] }, testkit.Timeout).Should(Equal(greeting))
	}
	g.Eventually(func() int {
		var secrets corev1.SecretList
		_ = env.cp.Client.List(ctx, &secrets, client.InNamespace(ns), client.MatchingLabels{"owner": "helm", "name": "app"})
		return len(secrets.Items)
	}, testkit.Timeout).Should(Equal(2))
}

// A release installed with the Helm CLI (no record in status) is taken
// over by an upgrade.
func TestTakeOverHelmCLIRelease(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	c := testChart{name: "app", version: "1.0.0"}
	hc := newHelmChart(t, ns, "app", c)

	cfg, err := release.NewConfig(env.getter, ns, ns, logr.Discard())
	g.Expect(err).NotTo(HaveOccurred())
	ch, err := loadChart(c.archive(t))
	g.Expect(err).NotTo(HaveOccurred())
	_, err = release.Install(context.Background(), cfg, release.Target{Name: "app", Namespace: ns, StorageNamespace: ns}, ch,
		map[string]any{"greeting": "by-hand"}, release.InstallOptions{Timeout: time.Minute, ServerSideApply: true})
	g.Expect(err).NotTo(HaveOccurred())

	hr := newRelease(ns, "app", hc.Name)
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.UpgradeSucceededReason)
	g.Expect(hr.Status.History.Latest().Version).To(Equal(2))
	g.Expect(configMapData(t, ns, "app")).To(HaveKeyWithValue("greeting", "hello"))
}
