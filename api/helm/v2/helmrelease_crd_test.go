package v2_test

import (
	"context"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

// create sends a HelmRelease written as a user writes it (YAML, so that
// only the fields given are sent) and returns the apiserver's verdict.
func create(t *testing.T, ns, manifest string) (*helmv2.HelmRelease, error) {
	t.Helper()
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(manifest), &obj.Object); err != nil {
		t.Fatal(err)
	}
	obj.SetAPIVersion(helmv2.GroupVersion.String())
	obj.SetKind(helmv2.HelmReleaseKind)
	obj.SetGenerateName("podinfo-")
	obj.SetNamespace(ns)
	if err := cp.Client.Create(context.Background(), obj); err != nil {
		return nil, err
	}
	got := &helmv2.HelmRelease{}
	if err := cp.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), got); err != nil {
		t.Fatal(err)
	}
	return got, nil
}

// A HelmRelease with only a chart template and an interval gets Flux's
// schema defaults: uninstall's deletion propagation when uninstall is
// given, and status.observedGeneration -1 until the controller writes it.
func TestHelmReleaseDefaults(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	got, err := create(t, ns, `
spec:
  interval: 10m
  chart:
    spec:
      chart: podinfo
      sourceRef:
        kind: HelmRepository
        name: charts
  uninstall:
    keepHistory: true
`)
	if err != nil {
		t.Fatal(err)
	}
	if p := got.Spec.Uninstall.DeletionPropagation; p == nil || *p != "background" {
		t.Errorf("spec.uninstall.deletionPropagation = %v, want the default background", p)
	}
	if got.Status.ObservedGeneration != -1 {
		t.Errorf("status.observedGeneration = %d, want -1", got.Status.ObservedGeneration)
	}
	// Defaults the controller applies, not the schema.
	if got.Spec.Chart.Spec.GetVersion() != "*" || got.Spec.Chart.Spec.GetReconcileStrategy() != "ChartVersion" ||
		got.GetMaxHistory() != 5 || got.GetTimeout().Duration.String() != "5m0s" || !got.UsePersistentClient() ||
		got.GetDriftDetection().GetMode() != helmv2.DriftDetectionDisabled {
		t.Errorf("getter defaults: version=%s strategy=%s maxHistory=%d timeout=%s persistentClient=%t drift=%s",
			got.Spec.Chart.Spec.GetVersion(), got.Spec.Chart.Spec.GetReconcileStrategy(), got.GetMaxHistory(),
			got.GetTimeout().Duration, got.UsePersistentClient(), got.GetDriftDetection().GetMode())
	}
}

// What the apiserver refuses, with the message a user sees.
func TestHelmReleaseValidation(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	const chart = `
  chart:
    spec:
      chart: podinfo
      sourceRef:
        kind: HelmRepository
        name: charts`
	tests := []struct {
		name, spec, wantError string
	}{
		{"chart template", chart, ""},
		{"chartRef", "\n  chartRef:\n    kind: OCIRepository\n    name: podinfo", ""},
		{"OCIRepository template", "\n  chart:\n    kind: OCIRepository\n    spec:\n      url: oci://ghcr.io/stefanprodan/charts/podinfo\n      ref:\n        semver: '6.x'", ""},
		{"neither chart nor chartRef", "", "either chart or chartRef must be set"},
		{"both chart and chartRef", chart + "\n  chartRef:\n    kind: HelmChart\n    name: podinfo", "either chart or chartRef must be set"},
		{"chartRef of an unknown kind", "\n  chartRef:\n    kind: GitRepository\n    name: podinfo", "spec.chartRef.kind"},
		{"template source of an unknown kind", "\n  chart:\n    spec:\n      chart: podinfo\n      sourceRef:\n        kind: OCIRepository\n        name: charts", "spec.chart.spec.sourceRef.kind"},
		{"OCIRepository template without url", "\n  chart:\n    kind: OCIRepository\n    spec:\n      interval: 1m", "chart.spec.url must be set when chart.kind is 'OCIRepository'"},
		{"HelmChart template with a url", "\n  chart:\n    spec:\n      url: oci://ghcr.io/charts/podinfo\n      chart: podinfo\n      sourceRef:\n        kind: HelmRepository\n        name: charts", "chart.spec.url requires chart.kind: 'OCIRepository'"},
		{"HelmChart template without sourceRef", "\n  chart:\n    spec:\n      chart: podinfo", "chart.spec.chart and chart.spec.sourceRef must be set"},
		{"OCIRepository template with valuesFiles", "\n  chart:\n    kind: OCIRepository\n    spec:\n      url: oci://ghcr.io/charts/podinfo\n      valuesFiles: [prod.yaml]", "chart.spec.valuesFiles cannot be set when chart.kind is 'OCIRepository'"},
		{"release name over 53 characters", chart + "\n  releaseName: " + strings.Repeat("a", 54), "spec.releaseName"},
		{"unknown drift detection mode", chart + "\n  driftDetection:\n    mode: fix", "spec.driftDetection.mode"},
		{"unknown install strategy", chart + "\n  install:\n    strategy:\n      name: Retry", "spec.install.strategy.name"},
		{"install retry interval with RemediateOnFailure", chart + "\n  install:\n    strategy:\n      name: RemediateOnFailure\n      retryInterval: 1m", ".retryInterval cannot be set when .name is 'RemediateOnFailure'"},
		{"upgrade retry interval with RemediateOnFailure", chart + "\n  upgrade:\n    strategy:\n      name: RemediateOnFailure\n      retryInterval: 1m", ".retryInterval can only be set when .name is 'RetryOnFailure'"},
		{"upgrade retry with RetryOnFailure", chart + "\n  upgrade:\n    strategy:\n      name: RetryOnFailure\n      retryInterval: 1m", ""},
		{"unknown remediation strategy", chart + "\n  upgrade:\n    remediation:\n      strategy: reinstall", "spec.upgrade.remediation.strategy"},
		{"unknown CRDs policy", chart + "\n  install:\n    crds: Replace", "spec.install.crds"},
		{"unknown server-side apply mode", chart + "\n  upgrade:\n    serverSideApply: always", "spec.upgrade.serverSideApply"},
		{"unknown chart name change strategy", chart + "\n  upgrade:\n    chartNameChangeStrategy: Rename", "spec.upgrade.chartNameChangeStrategy"},
		{"unknown deletion propagation", chart + "\n  uninstall:\n    deletionPropagation: now", "spec.uninstall.deletionPropagation"},
		{"unknown post-render strategy", chart + "\n  postRenderStrategy: all", "spec.postRenderStrategy"},
		{"unknown wait strategy", chart + "\n  waitStrategy:\n    name: sleep", "spec.waitStrategy.name"},
		{"kubeConfig with both references", chart + "\n  kubeConfig:\n    secretRef:\n      name: kc\n    configMapRef:\n      name: kc", "exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be specified"},
		{"valuesFrom of an unknown kind", chart + "\n  valuesFrom:\n  - kind: Opaque\n    name: values", "spec.valuesFrom[0].kind"},
		{"timeout not a duration", chart + "\n  timeout: soon", "spec.timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := create(t, ns, "spec:\n  interval: 10m"+tt.spec)
			switch {
			case tt.wantError == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case tt.wantError != "" && err == nil:
				t.Fatalf("accepted, want rejected on %q", tt.wantError)
			case tt.wantError != "" && !strings.Contains(err.Error(), tt.wantError):
				t.Fatalf("rejected with %q, want a message naming %q", err, tt.wantError)
			}
		})
	}
}

// HelmReleases are served under Flux's short name and categories, so
// `kubectl get hr` and `kubectl get fluxcd-appliers` work as with Flux.
func TestHelmReleaseDiscovery(t *testing.T) {
	dc, err := discovery.NewDiscoveryClientForConfig(cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	list, err := dc.ServerResourcesForGroupVersion(helmv2.GroupVersion.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list.APIResources {
		if r.Name != "helmreleases" {
			continue
		}
		if r.Kind != helmv2.HelmReleaseKind || strings.Join(r.ShortNames, ",") != "hr" ||
			strings.Join(r.Categories, ",") != "all,fluxcd,fluxcd-appliers" {
			t.Errorf("helmreleases: kind=%s shortNames=%v categories=%v", r.Kind, r.ShortNames, r.Categories)
		}
		return
	}
	t.Errorf("helmreleases not served in %s", helmv2.GroupVersion)
}
