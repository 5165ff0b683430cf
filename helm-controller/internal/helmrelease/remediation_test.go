package helmrelease

import (
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/testkit"
)

// A failing install is remediated by uninstalling it and tried again, as
// many times as install.remediation.retries says; then the HelmRelease
// stalls with Flux's reasons and counters.
func TestFailedInstallRemediatedByUninstall(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	broken := testChart{name: "app", version: "1.0.0", extra: map[string]string{"broken.yaml": missingNamespaceTemplate}}
	hc := newHelmChart(t, ns, "app", broken)

	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.Install = &helmv2.Install{Remediation: &helmv2.InstallRemediation{Retries: 1}}
	create(t, hr)
	testkit.WaitForCondition(t, env.cp.Client, hr, meta.StalledCondition, metav1.ConditionTrue, retriesExceededReason)
	g.Expect(hr.Status.InstallFailures).To(BeEquivalentTo(2))
	// Ready mirrors Remediated, as in Flux, and says what failed.
	g.Expect(conditionReason(hr, meta.ReadyCondition)).To(Equal(helmv2.UninstallSucceededReason))
	g.Expect(conditionReason(hr, helmv2.ReleasedCondition)).To(Equal(helmv2.InstallFailedReason))
	g.Expect(conditionMessage(hr, meta.ReadyCondition)).To(SatisfyAll(
		ContainSubstring("Helm install failed for release "+ns+"/app with chart app@1.0.0"),
		ContainSubstring("no-such-namespace"),
	))
	g.Expect(conditionMessage(hr, meta.StalledCondition)).To(ContainSubstring("failed to install after 2 attempt(s)"))
	g.Expect(hr.Status.Failures).To(BeEquivalentTo(2))
	g.Expect(hr.Status.LastAttemptedReleaseAction).To(Equal(helmv2.ReleaseActionInstall))
	waitEvent(t, hr, "Warning InstallFailed", "no-such-namespace")
	waitEvent(t, hr, "Normal UninstallSucceeded", "Helm uninstall remediation for release "+ns+"/app.v1 with chart app@1.0.0 succeeded")

	// A fixed chart is released, over the failed release left in place
	// (an upgrade, as in Flux): the counters start again.
	setChartArtifact(t, hc, testChart{name: "app", version: "1.0.1"})
	waitReady(t, hr, metav1.ConditionTrue, helmv2.UpgradeSucceededReason)
	g.Expect(meta.StalledCondition).NotTo(BeElementOf(conditionTypes(hr)))
	g.Expect(hr.Status.InstallFailures).To(BeZero())
	g.Expect(configMapData(t, ns, "app")).To(HaveKeyWithValue("version", "1.0.1"))
}

// A failing upgrade is rolled back to the last good release, which stays
// running; with retries it is tried again, then rolled back again (the
// last failure is remediated by default when retries are set).
func TestFailedUpgradeRolledBack(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.Upgrade = &helmv2.Upgrade{Remediation: &helmv2.UpgradeRemediation{Retries: 1}}
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)

	setChartArtifact(t, hc, testChart{name: "app", version: "2.0.0", extra: map[string]string{"broken.yaml": missingNamespaceTemplate}})
	testkit.WaitForCondition(t, env.cp.Client, hr, meta.StalledCondition, metav1.ConditionTrue, retriesExceededReason)
	g.Expect(hr.Status.UpgradeFailures).To(BeEquivalentTo(2))
	g.Expect(conditionReason(hr, meta.ReadyCondition)).To(Equal(helmv2.RollbackSucceededReason))
	g.Expect(conditionReason(hr, helmv2.RemediatedCondition)).To(Equal(helmv2.RollbackSucceededReason))
	g.Expect(conditionReason(hr, helmv2.ReleasedCondition)).To(Equal(helmv2.UpgradeFailedReason))
	cur := hr.Status.History.Latest()
	g.Expect(cur.Action).To(Equal(helmv2.ReleaseActionRollback))
	g.Expect(cur.ChartVersion).To(Equal("1.0.0"))
	g.Expect(cur.Status).To(Equal("deployed"))
	// The last good release is what runs.
	g.Expect(configMapData(t, ns, "app")).To(HaveKeyWithValue("version", "1.0.0"))
	waitEvent(t, hr, "Warning UpgradeFailed", "Helm upgrade failed for release "+ns+"/app with chart app@2.0.0")
	waitEvent(t, hr, "Normal RollbackSucceeded", "Helm rollback to previous release "+ns+"/app.v1 with chart app@1.0.0 succeeded")
}

// A failing test hook fails the release (TestSuccess=False, Ready=False
// with TestFailed), unless test.ignoreFailures is set.
func TestTestHooks(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)

	passing := newHelmChart(t, ns, "passing", testChart{name: "passing", version: "1.0.0", extra: map[string]string{"test.yaml": passingTest}})
	hr := newRelease(ns, "passing", passing.Name)
	hr.Spec.Test = &helmv2.Test{Enable: true}
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.TestSucceededReason)
	g.Expect(conditionReason(hr, helmv2.TestSuccessCondition)).To(Equal(helmv2.TestSucceededReason))
	g.Expect(hr.Status.History.Latest().GetTestHooks()).To(HaveKey("passing-test"))
	g.Expect(hr.Status.History.Latest().GetTestHooks()["passing-test"].Phase).To(Equal("Succeeded"))

	failing := newHelmChart(t, ns, "failing", testChart{name: "failing", version: "1.0.0", extra: map[string]string{"test.yaml": failingTest}})
	bad := newRelease(ns, "failing", failing.Name)
	bad.Spec.Test = &helmv2.Test{Enable: true}
	create(t, bad)
	waitReady(t, bad, metav1.ConditionFalse, helmv2.TestFailedReason)
	g.Expect(conditionReason(bad, helmv2.TestSuccessCondition)).To(Equal(helmv2.TestFailedReason))
	g.Expect(conditionMessage(bad, meta.ReadyCondition)).To(ContainSubstring("Helm test failed for release " + ns + "/failing.v1 with chart failing@1.0.0"))
	waitEvent(t, bad, "Warning TestFailed")
	// The release itself stays installed (no remediation retries are set).
	g.Expect(configMapData(t, ns, "failing")).NotTo(BeNil())

	ignoring := newRelease(ns, "ignoring", failing.Name)
	ignoring.Spec.Test = &helmv2.Test{Enable: true, IgnoreFailures: true}
	create(t, ignoring)
	waitReady(t, ignoring, metav1.ConditionTrue, helmv2.InstallSucceededReason)
	g.Expect(conditionReason(ignoring, helmv2.TestSuccessCondition)).To(Equal(helmv2.TestFailedReason))
}

// With upgrade.strategy RetryOnFailure a failed upgrade is not rolled
// back: it is tried again after the retry interval.
func TestUpgradeRetryOnFailure(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.Upgrade = &helmv2.Upgrade{Strategy: &helmv2.UpgradeStrategy{
		Name: string(helmv2.ActionStrategyRetryOnFailure), RetryInterval: &metav1.Duration{Duration: time.Second}}}
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)

	setChartArtifact(t, hc, testChart{name: "app", version: "2.0.0", extra: map[string]string{"broken.yaml": missingNamespaceTemplate}})
	g.Eventually(func() int64 {
		waitReady(t, hr, metav1.ConditionFalse, helmv2.UpgradeFailedReason)
		return hr.Status.Failures
	}, testkit.Timeout).Should(BeNumerically(">=", 2))
	g.Expect(conditionTypes(hr)).NotTo(ContainElement(helmv2.RemediatedCondition))
	g.Expect(conditionTypes(hr)).NotTo(ContainElement(meta.StalledCondition))
	events, _ := eventsOf(t, hr)
	g.Expect(events).NotTo(ContainElement(ContainSubstring("RollbackSucceeded")))
}

// An install whose Deployment never becomes available (no kubelet here)
// fails when install.timeout runs out, and is remediated as configured;
// with disableWait it is released at once.
func TestInstallTimeout(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	withDeployment := testChart{name: "app", version: "1.0.0", extra: map[string]string{"deployment.yaml": deploymentTemplate}}
	hc := newHelmChart(t, ns, "app", withDeployment)

	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.Install = &helmv2.Install{Timeout: &metav1.Duration{Duration: 2 * time.Second}}
	create(t, hr)
	testkit.WaitForCondition(t, env.cp.Client, hr, meta.StalledCondition, metav1.ConditionTrue, retriesExceededReason)
	g.Expect(conditionReason(hr, meta.ReadyCondition)).To(Equal(helmv2.InstallFailedReason))
	g.Expect(conditionMessage(hr, meta.ReadyCondition)).To(ContainSubstring("Helm install failed for release " + ns + "/app"))
	g.Expect(hr.Status.History.Latest().Status).To(Equal("failed"))

	nowait := newRelease(ns, "nowait", hc.Name)
	nowait.Spec.Install = &helmv2.Install{DisableWait: true}
	create(t, nowait)
	waitReady(t, nowait, metav1.ConditionTrue, helmv2.InstallSucceededReason)
}

// With install.strategy RetryOnFailure a failed install is neither
// uninstalled nor given up: it is tried again after the retry interval,
// and stays an install.
func TestInstallRetryOnFailure(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0", extra: map[string]string{"broken.yaml": missingNamespaceTemplate}})
	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.Install = &helmv2.Install{Strategy: &helmv2.InstallStrategy{
		Name: string(helmv2.ActionStrategyRetryOnFailure), RetryInterval: &metav1.Duration{Duration: time.Second}}}
	create(t, hr)
	g.Eventually(func() int64 {
		waitReady(t, hr, metav1.ConditionFalse, helmv2.InstallFailedReason)
		return hr.Status.Failures
	}, testkit.Timeout).Should(BeNumerically(">=", 3))
	g.Expect(hr.Status.LastAttemptedReleaseAction).To(Equal(helmv2.ReleaseActionInstall))
	g.Expect(conditionTypes(hr)).NotTo(ContainElement(meta.StalledCondition))
	events, _ := eventsOf(t, hr)
	g.Expect(events).NotTo(ContainElement(ContainSubstring("UninstallSucceeded")))

	// Fixed, it is released.
	setChartArtifact(t, hc, testChart{name: "app", version: "1.0.1"})
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)
}
