package helmrelease

import (
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/testkit"
)

// A failed upgrade's event carries the attempted chart's version, values
// digest and app version, as Flux's does, not the release still running:
// a notification about the failure names the version that failed.
func TestFailedUpgradeEventNamesTheAttemptedChart(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	hr := newRelease(ns, "app", hc.Name)
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)

	setChartArtifact(t, hc, testChart{name: "app", version: "1.1.0", extra: map[string]string{"bad.yaml": "{{ .Values.nope.field }}"}})
	waitReady(t, hr, metav1.ConditionFalse, helmv2.UpgradeFailedReason)
	waitEvent(t, hr, "Warning UpgradeFailed", "app@1.1.0")
	g.Expect(hr.Status.History.Latest().ChartVersion).To(Equal("1.0.0"), "Helm stored nothing")
	g.Eventually(func() []map[string]string {
		_, annotations := eventsOf(t, hr)
		return annotations
	}, testkit.Timeout).Should(ContainElement(SatisfyAll(
		HaveKeyWithValue("helm.toolkit.fluxcd.io/revision", "1.1.0"),
		HaveKeyWithValue("helm.toolkit.fluxcd.io/app-version", "app-1.1.0"),
		HaveKeyWithValue("helm.toolkit.fluxcd.io/token", hr.Status.LastAttemptedConfigDigest),
	)))
}
