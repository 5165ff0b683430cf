package v1_test

import (
	"context"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

func newHelmChart(ns string, mutate func(*sourcev1.HelmChart)) *sourcev1.HelmChart {
	obj := &sourcev1.HelmChart{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "podinfo-", Namespace: ns},
		Spec: sourcev1.HelmChartSpec{
			Chart:     "podinfo",
			SourceRef: sourcev1.LocalHelmChartSourceReference{Kind: sourcev1.HelmRepositoryKind, Name: "charts"},
			Interval:  metav1.Duration{Duration: 10 * time.Minute},
		},
	}
	if mutate != nil {
		mutate(obj)
	}
	return obj
}

// A HelmChart written with only chart, sourceRef and interval follows the
// newest version by chart version, as in Flux.
func TestHelmChartDefaults(t *testing.T) {
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	key := createYAML(t, ns, `
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata:
  name: podinfo
spec:
  chart: podinfo
  interval: 10m
  sourceRef:
    kind: HelmRepository
    name: charts
  verify:
    secretRef:
      name: cosign-keys
`)

	got := &sourcev1.HelmChart{}
	if err := cp.Client.Get(ctx, key, got); err != nil {
		t.Fatal(err)
	}
	if got.Spec.Version != "*" {
		t.Errorf("spec.version = %q, want the default *", got.Spec.Version)
	}
	if got.Spec.ReconcileStrategy != sourcev1.ReconcileStrategyChartVersion {
		t.Errorf("spec.reconcileStrategy = %q, want the default ChartVersion", got.Spec.ReconcileStrategy)
	}
	if got.Spec.Verify.Provider != sourcev1.VerificationProviderCosign {
		t.Errorf("spec.verify.provider = %q, want the default cosign", got.Spec.Verify.Provider)
	}
	if got.Status.ObservedGeneration != -1 {
		t.Errorf("status.observedGeneration = %d, want the default -1", got.Status.ObservedGeneration)
	}
}

func TestHelmChartValidation(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	tests := []struct {
		name      string
		mutate    func(*sourcev1.HelmChart)
		wantError string // a part of the apiserver's message; empty: accepted
	}{
		{"from a HelmRepository", nil, ""},
		{"from a GitRepository", func(o *sourcev1.HelmChart) {
			o.Spec.SourceRef.Kind, o.Spec.Chart = sourcev1.GitRepositoryKind, "./charts/podinfo"
		}, ""},
		{"from a Bucket", func(o *sourcev1.HelmChart) { o.Spec.SourceRef.Kind = "Bucket" }, ""},
		{"from an OCIRepository", func(o *sourcev1.HelmChart) {
			o.Spec.SourceRef.Kind = sourcev1.OCIRepositoryKind
		}, "spec.sourceRef.kind"},
		{"revision strategy", func(o *sourcev1.HelmChart) {
			o.Spec.ReconcileStrategy = sourcev1.ReconcileStrategyRevision
		}, ""},
		{"unknown strategy", func(o *sourcev1.HelmChart) { o.Spec.ReconcileStrategy = "Always" }, "spec.reconcileStrategy"},
		{"interval in days", func(o *sourcev1.HelmChart) {
			o.Spec.Interval = metav1.Duration{Duration: 48 * time.Hour}
		}, ""},
		{"verify with a HelmRepository", func(o *sourcev1.HelmChart) {
			o.Spec.Verify = &sourcev1.HelmChartVerification{Provider: sourcev1.VerificationProviderNotation}
		}, ""},
		{"verify with a GitRepository", func(o *sourcev1.HelmChart) {
			o.Spec.SourceRef.Kind = sourcev1.GitRepositoryKind
			o.Spec.Verify = &sourcev1.HelmChartVerification{Provider: sourcev1.VerificationProviderCosign}
		}, "spec.verify is only supported when spec.sourceRef.kind is 'HelmRepository'"},
		{"unknown verify provider", func(o *sourcev1.HelmChart) {
			o.Spec.Verify = &sourcev1.HelmChartVerification{Provider: "gpg"}
		}, "spec.verify.provider"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectCreate(t, newHelmChart(ns, tt.mutate), tt.wantError)
		})
	}
}

func TestHelmChartStatusAndColumns(t *testing.T) {
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	obj := newHelmChart(ns, func(o *sourcev1.HelmChart) {
		o.Spec.Version = ">=6.0.0 <7.0.0"
		o.Spec.ValuesFiles = []string{"values.yaml", "values-prod.yaml"}
	})
	if err := cp.Client.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
	obj.Status.ObservedGeneration = obj.Generation
	obj.Status.ObservedChartName = "podinfo"
	obj.Status.ObservedSourceArtifactRevision = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
	obj.Status.ObservedValuesFiles = []string{"values.yaml"}
	obj.Status.Artifact = &meta.Artifact{
		Path:           "helmchart/ns/podinfo/podinfo-6.5.4.tgz",
		URL:            "http://source-controller.flux-system.svc/helmchart/ns/podinfo/podinfo-6.5.4.tgz",
		Revision:       "6.5.4",
		Digest:         "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
		LastUpdateTime: metav1.Now(),
	}
	obj.Status.Conditions = []metav1.Condition{{
		Type: meta.ReadyCondition, Status: metav1.ConditionTrue, Reason: sourcev1.ChartPullSucceededReason,
		Message: "pulled 'podinfo' chart with version '6.5.4'", LastTransitionTime: metav1.Now(),
	}}
	if err := cp.Client.Status().Update(ctx, obj); err != nil {
		t.Fatalf("write status: %v", err)
	}

	got := &sourcev1.HelmChart{}
	if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), got); err != nil {
		t.Fatal(err)
	}
	if got.Status.ObservedChartName != "podinfo" || len(got.Status.ObservedValuesFiles) != 1 ||
		got.Status.ObservedSourceArtifactRevision == "" || got.GetArtifact() == nil {
		t.Errorf("status = %+v, want the observed fields and artifact written", got.Status)
	}
	expectColumns(t, "helmcharts", ns, map[string]string{
		"Name": got.Name, "Chart": "podinfo", "Version": ">=6.0.0 <7.0.0",
		"Source Kind": "HelmRepository", "Source Name": "charts",
		"Ready": "True", "Status": "pulled 'podinfo' chart with version '6.5.4'",
	})
}
