package v2_test

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
)

// The object spec.chart creates is '<namespace>-<name>': in the source's
// namespace for a HelmChart, in the HelmRelease's for an OCIRepository.
// status.helmChart keeps Flux's short form for HelmCharts.
func TestChartReferences(t *testing.T) {
	hr := &helmv2.HelmRelease{ObjectMeta: metav1.ObjectMeta{Namespace: "apps", Name: "podinfo"}}
	hr.Spec.Chart = &helmv2.HelmChartTemplate{Spec: helmv2.HelmChartTemplateSpec{
		Chart: "podinfo", SourceRef: &helmv2.CrossNamespaceObjectReference{Kind: "HelmRepository", Name: "charts", Namespace: "flux-system"},
	}}
	ref := hr.GetHelmChartTemplateReference()
	if got := ref.String(); got != "HelmChart/flux-system/apps-podinfo" {
		t.Errorf("template reference = %s", got)
	}
	hr.Status.SetChart(ref)
	if hr.Status.HelmChart != "flux-system/apps-podinfo" || !hr.Status.GetHelmChartReference().Matches(ref) {
		t.Errorf("status.helmChart = %q, parsed back as %v", hr.Status.HelmChart, hr.Status.GetHelmChartReference())
	}

	hr.Spec.Chart.Kind = "OCIRepository"
	ref = hr.GetHelmChartTemplateReference()
	hr.Status.SetChart(ref)
	if ref.String() != "OCIRepository/apps/apps-podinfo" || hr.Status.HelmChart != "OCIRepository/apps/apps-podinfo" ||
		!hr.Status.GetHelmChartReference().Matches(ref) {
		t.Errorf("OCIRepository template: reference %s, status %q", ref, hr.Status.HelmChart)
	}

	hr.Spec.Chart = nil
	hr.Spec.ChartRef = &helmv2.CrossNamespaceSourceReference{Kind: "OCIRepository", Name: "podinfo"}
	if got := hr.GetHelmChartReference().String(); got != "OCIRepository/apps/podinfo" {
		t.Errorf("chartRef reference = %s", got)
	}
	if hr.GetHelmChartTemplateReference() != nil {
		t.Error("a template reference without spec.chart")
	}
}

// The release name is '[<targetNamespace>-]<name>' unless given.
func TestReleaseNameAndNamespaces(t *testing.T) {
	hr := &helmv2.HelmRelease{ObjectMeta: metav1.ObjectMeta{Namespace: "apps", Name: "podinfo"}}
	if hr.GetReleaseName() != "podinfo" || hr.GetReleaseNamespace() != "apps" || hr.GetStorageNamespace() != "apps" {
		t.Errorf("defaults: %s %s %s", hr.GetReleaseName(), hr.GetReleaseNamespace(), hr.GetStorageNamespace())
	}
	hr.Spec.TargetNamespace, hr.Spec.StorageNamespace = "web", "helm"
	if hr.GetReleaseName() != "web-podinfo" || hr.GetReleaseNamespace() != "web" || hr.GetStorageNamespace() != "helm" {
		t.Errorf("with targetNamespace: %s %s %s", hr.GetReleaseName(), hr.GetReleaseNamespace(), hr.GetStorageNamespace())
	}
	hr.Spec.ReleaseName = "site"
	if hr.GetReleaseName() != "site" {
		t.Errorf("releaseName: %s", hr.GetReleaseName())
	}
}

// Remediation defaults as Flux's: an install is undone by uninstall, an
// upgrade by rollback; an upgrade with retries remediates its last failure.
func TestRemediationDefaults(t *testing.T) {
	hr := &helmv2.HelmRelease{}
	if hr.GetActiveRemediation() != nil {
		t.Error("a remediation before any action")
	}
	hr.Status.LastAttemptedReleaseAction = helmv2.ReleaseActionInstall
	r := hr.GetActiveRemediation()
	if r.GetStrategy() != helmv2.UninstallRemediationStrategy || r.MustRemediateLastFailure() || !r.MustIgnoreTestFailures(true) {
		t.Errorf("install remediation: %s %t", r.GetStrategy(), r.MustRemediateLastFailure())
	}
	r.IncrementFailureCount(hr)
	if !r.RetriesExhausted(hr) || hr.Status.InstallFailures != 1 {
		t.Errorf("0 retries, 1 failure: exhausted=%t failures=%d", r.RetriesExhausted(hr), hr.Status.InstallFailures)
	}

	hr.Status.LastAttemptedReleaseAction = helmv2.ReleaseActionUpgrade
	hr.Spec.Upgrade = &helmv2.Upgrade{Remediation: &helmv2.UpgradeRemediation{Retries: 2}}
	r = hr.GetActiveRemediation()
	if r.GetStrategy() != helmv2.RollbackRemediationStrategy || !r.MustRemediateLastFailure() || r.IsUninstallAfterUpgrade() {
		t.Errorf("upgrade remediation: %s %t", r.GetStrategy(), r.MustRemediateLastFailure())
	}
	hr.Spec.Upgrade.Remediation.Retries = -1
	hr.Status.UpgradeFailures = 100
	if hr.GetActiveRemediation().RetriesExhausted(hr) {
		t.Error("negative retries exhausted")
	}

	if hr.GetActiveRetry(false) != nil {
		t.Error("a retry without RetryOnFailure")
	}
	if got := hr.GetActiveRetry(true); got == nil || got.GetRetryInterval().String() != "5m0s" {
		t.Errorf("DefaultToRetryOnFailure: retry %v", got)
	}
}

func snapshot(version int, status string, testPhase string) *helmv2.Snapshot {
	s := &helmv2.Snapshot{Version: version, Status: status}
	if testPhase != "" {
		s.SetTestHooks(map[string]*helmv2.TestHookStatus{"test": {Phase: testPhase}})
	}
	return s
}

// Previous is the release a rollback goes back to; Truncate keeps the
// history down to it.
func TestSnapshotsPreviousAndTruncate(t *testing.T) {
	history := helmv2.Snapshots{
		snapshot(2, "superseded", "Failed"),
		snapshot(4, "failed", ""),
		snapshot(1, "superseded", ""),
		snapshot(3, "superseded", ""),
	}
	if got := history.Latest().Version; got != 4 {
		t.Errorf("latest = %d", got)
	}
	if got := history.Previous(false).Version; got != 3 {
		t.Errorf("previous = %d", got)
	}
	history = helmv2.Snapshots{snapshot(3, "failed", ""), snapshot(2, "superseded", "Failed"), snapshot(1, "superseded", "")}
	if got := history.Previous(false).Version; got != 1 {
		t.Errorf("previous skipping failed tests = %d", got)
	}
	if got := history.Previous(true).Version; got != 2 {
		t.Errorf("previous ignoring tests = %d", got)
	}
	history.Truncate(true)
	if len(history) != 2 || history[1].Version != 2 {
		t.Errorf("truncated to %d snapshots", len(history))
	}

	var failed helmv2.Snapshots
	for v := 1; v <= 7; v++ {
		failed = append(failed, snapshot(v, "failed", ""))
	}
	failed.Truncate(false)
	if len(failed) != 5 || failed[0].Version != 7 {
		t.Errorf("no previous: kept %d, newest %d", len(failed), failed[0].Version)
	}
}

// A snapshot has been tested when no test was selected, one failed, or all
// succeeded.
func TestSnapshotHasBeenTested(t *testing.T) {
	empty := &helmv2.Snapshot{}
	empty.SetTestHooks(map[string]*helmv2.TestHookStatus{})
	running := snapshot(1, "deployed", "Running")
	for name, tt := range map[string]struct {
		s    *helmv2.Snapshot
		want bool
	}{
		"never run": {&helmv2.Snapshot{}, false},
		"none":      {empty, true},
		"failed":    {snapshot(1, "deployed", "Failed"), true},
		"succeeded": {snapshot(1, "deployed", "Succeeded"), true},
		"running":   {running, false},
	} {
		if got := tt.s.HasBeenTested(); got != tt.want {
			t.Errorf("%s: HasBeenTested = %t", name, got)
		}
	}
}
