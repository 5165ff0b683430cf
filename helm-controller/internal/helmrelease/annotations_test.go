package helmrelease

import (
	"context"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/testkit"
)

// requestWith sets annotation and reconcile.fluxcd.io/requestedAt to one
// token, as `flux reconcile hr --force` (forceAt) and `--reset` (resetAt)
// do, and returns the token.
func requestWith(t *testing.T, hr *helmv2.HelmRelease, annotation string) string {
	t.Helper()
	token := time.Now().Format(time.RFC3339Nano)
	update(t, hr, func(hr *helmv2.HelmRelease) {
		if hr.Annotations == nil {
			hr.Annotations = map[string]string{}
		}
		hr.Annotations[annotation] = token
		hr.Annotations[meta.ReconcileRequestAnnotation] = token
	})
	return token
}

func latestVersion(t *testing.T, hr *helmv2.HelmRelease) func() int {
	return func() int {
		_ = env.cp.Client.Get(context.Background(), client.ObjectKeyFromObject(hr), hr)
		if cur := hr.Status.History.Latest(); cur != nil {
			return cur.Version
		}
		return 0
	}
}

// reconcile.fluxcd.io/forceAt upgrades a release in sync once;
// reconcile.fluxcd.io/resetAt zeroes the failure counters of a release
// out of retries, so that it is tried again.
func TestForceAndResetRequests(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)

	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	hr := newRelease(ns, "app", hc.Name)
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)
	token := requestWith(t, hr, helmv2.ForceRequestAnnotation)
	g.Eventually(latestVersion(t, hr), testkit.Timeout).Should(Equal(2))
	g.Eventually(func() string { latestVersion(t, hr)(); return hr.Status.LastHandledForceAt }, testkit.Timeout).Should(Equal(token))
	waitReady(t, hr, metav1.ConditionTrue, helmv2.UpgradeSucceededReason)
	g.Expect(hr.Status.History.Latest().Action).To(Equal(helmv2.ReleaseActionUpgrade))
	// Handled once: another reconciliation does not upgrade again.
	requestReconcile(t, hr)
	g.Expect(hr.Status.History.Latest().Version).To(Equal(2))

	broken := testChart{name: "broken", version: "1.0.0", extra: map[string]string{"broken.yaml": missingNamespaceTemplate}}
	bc := newHelmChart(t, ns, "broken", broken)
	failing := newRelease(ns, "failing", bc.Name)
	create(t, failing)
	testkit.WaitForCondition(t, env.cp.Client, failing, meta.StalledCondition, metav1.ConditionTrue, retriesExceededReason)
	g.Expect(failing.Status.InstallFailures).To(BeEquivalentTo(1))
	g.Expect(failing.Status.History.Latest().Version).To(Equal(1))
	token = requestWith(t, failing, helmv2.ResetRequestAnnotation)
	// Tried again (and failed again: the chart is still broken).
	g.Eventually(latestVersion(t, failing), testkit.Timeout).Should(Equal(2))
	g.Expect(failing.Status.LastHandledResetAt).To(Equal(token))
	testkit.WaitForCondition(t, env.cp.Client, failing, meta.StalledCondition, metav1.ConditionTrue, retriesExceededReason)
}
