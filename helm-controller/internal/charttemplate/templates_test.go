package charttemplate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/helm-controller/internal/charttemplate"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

func newTemplates() *charttemplate.Templates {
	return charttemplate.New(cp.Client, "helm-controller", false)
}

// newRelease returns a HelmRelease 'podinfo' in ns (not created: the
// package reads only what it is given) whose template reads chart podinfo
// from HelmRepository 'charts' in sourceNS.
func newRelease(ns, sourceNS string) *helmv2.HelmRelease {
	return &helmv2.HelmRelease{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "podinfo"},
		Spec: helmv2.HelmReleaseSpec{
			Interval: metav1.Duration{Duration: 5 * time.Minute},
			Chart: &helmv2.HelmChartTemplate{
				ObjectMeta: &helmv2.HelmChartTemplateObjectMeta{
					Labels:      map[string]string{"team": "web"},
					Annotations: map[string]string{"note": "from a template"},
				},
				Spec: helmv2.HelmChartTemplateSpec{
					Chart:                    "podinfo",
					Version:                  "6.x",
					SourceRef:                &helmv2.CrossNamespaceObjectReference{Kind: "HelmRepository", Name: "charts", Namespace: sourceNS},
					ReconcileStrategy:        "Revision",
					ValuesFiles:              []string{"values.yaml", "prod.yaml"},
					IgnoreMissingValuesFiles: true,
				},
			},
		},
	}
}

func getChart(t *testing.T, ns, name string) (*sourcev1.HelmChart, error) {
	t.Helper()
	chart := &sourcev1.HelmChart{}
	err := cp.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, chart)
	return chart, err
}

func mustReconcile(t *testing.T, tpl *charttemplate.Templates, hr *helmv2.HelmRelease) {
	t.Helper()
	if err := tpl.Reconcile(context.Background(), hr); err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
}

// The template becomes HelmChart '<namespace>-<name>' in the source's
// namespace, with the template's fields, labels and annotations, Flux's
// owner labels, the HelmRelease's interval, and status.helmChart naming it.
func TestHelmChartCreatedFromTemplate(t *testing.T) {
	ns, sourceNS := testkit.NewNamespace(t, cp.Client), testkit.NewNamespace(t, cp.Client)
	hr := newRelease(ns, sourceNS)
	mustReconcile(t, newTemplates(), hr)

	chart, err := getChart(t, sourceNS, ns+"-podinfo")
	if err != nil {
		t.Fatalf("HelmChart not created: %v", err)
	}
	spec := chart.Spec
	if spec.Chart != "podinfo" || spec.Version != "6.x" || spec.SourceRef.Kind != "HelmRepository" || spec.SourceRef.Name != "charts" ||
		spec.Interval.Duration != 5*time.Minute || spec.ReconcileStrategy != "Revision" ||
		strings.Join(spec.ValuesFiles, ",") != "values.yaml,prod.yaml" || !spec.IgnoreMissingValuesFiles {
		t.Errorf("spec = %+v", spec)
	}
	labels := chart.GetLabels()
	if labels["team"] != "web" || labels["helm.toolkit.fluxcd.io/name"] != "podinfo" || labels["helm.toolkit.fluxcd.io/namespace"] != ns {
		t.Errorf("labels = %v", labels)
	}
	if chart.GetAnnotations()["note"] != "from a template" {
		t.Errorf("annotations = %v", chart.GetAnnotations())
	}
	if want := sourceNS + "/" + ns + "-podinfo"; hr.Status.HelmChart != want {
		t.Errorf("status.helmChart = %q, want %q", hr.Status.HelmChart, want)
	}
}

// A changed template updates the HelmChart; a field taken out of the
// template goes from the HelmChart too (the CRD default comes back), and an
// unchanged template writes nothing.
func TestHelmChartKeptInStep(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	tpl := newTemplates()
	hr := newRelease(ns, "")
	// The first update after the create also stores the status default
	// (observedGeneration -1) the apiserver adds on read; from then on an
	// apply of the same template changes nothing.
	mustReconcile(t, tpl, hr)
	mustReconcile(t, tpl, hr)
	first, err := getChart(t, ns, ns+"-podinfo")
	if err != nil {
		t.Fatal(err)
	}

	mustReconcile(t, tpl, hr)
	same, _ := getChart(t, ns, ns+"-podinfo")
	if same.ResourceVersion != first.ResourceVersion {
		t.Errorf("an unchanged template rewrote the HelmChart (resourceVersion %s -> %s)", first.ResourceVersion, same.ResourceVersion)
	}

	hr.Spec.Chart.Spec.Version = ""
	hr.Spec.Chart.Spec.ValuesFiles = nil
	hr.Spec.Chart.Spec.Interval = &metav1.Duration{Duration: time.Minute}
	hr.Spec.Chart.ObjectMeta.Labels = nil
	mustReconcile(t, tpl, hr)
	chart, _ := getChart(t, ns, ns+"-podinfo")
	if chart.Spec.Version != "*" || len(chart.Spec.ValuesFiles) != 0 || chart.Spec.Interval.Duration != time.Minute {
		t.Errorf("after the template changed: version=%q valuesFiles=%v interval=%s", chart.Spec.Version, chart.Spec.ValuesFiles, chart.Spec.Interval.Duration)
	}
	if _, ok := chart.GetLabels()["team"]; ok || chart.GetLabels()["helm.toolkit.fluxcd.io/name"] != "podinfo" {
		t.Errorf("labels after the template dropped its own: %v", chart.GetLabels())
	}
}

// A HelmChart edited by hand is put back as the template says.
func TestHelmChartEditReverted(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	tpl := newTemplates()
	hr := newRelease(ns, "")
	mustReconcile(t, tpl, hr)
	chart, _ := getChart(t, ns, ns+"-podinfo")
	chart.Spec.Version = "1.0.0"
	if err := cp.Client.Update(context.Background(), chart); err != nil {
		t.Fatal(err)
	}
	mustReconcile(t, tpl, hr)
	chart, _ = getChart(t, ns, ns+"-podinfo")
	if chart.Spec.Version != "6.x" {
		t.Errorf("spec.version = %q after a hand edit, want the template's 6.x", chart.Spec.Version)
	}
}

// Moving the chart to another namespace, switching to chartRef, and
// deleting the HelmRelease each delete the HelmChart made before.
func TestHelmChartDeleted(t *testing.T) {
	ns, otherNS := testkit.NewNamespace(t, cp.Client), testkit.NewNamespace(t, cp.Client)
	tpl := newTemplates()
	hr := newRelease(ns, "")
	mustReconcile(t, tpl, hr)

	hr.Spec.Chart.Spec.SourceRef.Namespace = otherNS
	mustReconcile(t, tpl, hr)
	if _, err := getChart(t, ns, ns+"-podinfo"); !apierrors.IsNotFound(err) {
		t.Errorf("HelmChart in the old namespace: %v, want it deleted", err)
	}
	if _, err := getChart(t, otherNS, ns+"-podinfo"); err != nil {
		t.Errorf("HelmChart in the new namespace: %v", err)
	}

	hr.Spec.Chart = nil
	hr.Spec.ChartRef = &helmv2.CrossNamespaceSourceReference{Kind: "OCIRepository", Name: "podinfo"}
	mustReconcile(t, tpl, hr)
	if _, err := getChart(t, otherNS, ns+"-podinfo"); !apierrors.IsNotFound(err) {
		t.Errorf("HelmChart after the switch to chartRef: %v, want it deleted", err)
	}
	if hr.Status.HelmChart != "" {
		t.Errorf("status.helmChart = %q after the switch to chartRef", hr.Status.HelmChart)
	}

	hr = newRelease(ns, "")
	mustReconcile(t, tpl, hr)
	if err := tpl.Delete(context.Background(), hr); err != nil {
		t.Fatal(err)
	}
	if _, err := getChart(t, ns, ns+"-podinfo"); !apierrors.IsNotFound(err) {
		t.Errorf("HelmChart after Delete: %v, want it deleted", err)
	}
	// Deleting what is gone already is not an error.
	if err := tpl.Delete(context.Background(), newRelease(ns, "")); err != nil {
		t.Errorf("Delete of a missing HelmChart: %v", err)
	}
}

// With chart.kind OCIRepository the template becomes an OCIRepository in
// the HelmRelease's namespace, with the HelmRelease's interval by default.
func TestOCIRepositoryFromTemplate(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	hr := newRelease(ns, "")
	hr.Spec.Chart.Kind = sourcev1.OCIRepositoryKind
	hr.Spec.Chart.Spec = helmv2.HelmChartTemplateSpec{OCIRepositorySpec: sourcev1.OCIRepositorySpec{
		URL:       "oci://ghcr.io/stefanprodan/charts/podinfo",
		Reference: &sourcev1.OCIRepositoryRef{SemVer: "6.x"},
	}}
	tpl := newTemplates()
	mustReconcile(t, tpl, hr)
	repo := &sourcev1.OCIRepository{}
	if err := cp.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: ns + "-podinfo"}, repo); err != nil {
		t.Fatalf("OCIRepository not created: %v", err)
	}
	if repo.Spec.URL != hr.Spec.Chart.Spec.URL || repo.Spec.Reference == nil || repo.Spec.Reference.SemVer != "6.x" ||
		repo.Spec.Interval == nil || repo.Spec.Interval.Duration != 5*time.Minute || repo.GetLabels()["helm.toolkit.fluxcd.io/name"] != "podinfo" {
		t.Errorf("OCIRepository = %+v, labels %v", repo.Spec, repo.GetLabels())
	}
	if want := "OCIRepository/" + ns + "/" + ns + "-podinfo"; hr.Status.HelmChart != want {
		t.Errorf("status.helmChart = %q, want %q", hr.Status.HelmChart, want)
	}
	if err := tpl.Delete(context.Background(), hr); err != nil {
		t.Fatal(err)
	}
	err := cp.Client.Get(context.Background(), client.ObjectKeyFromObject(repo), &sourcev1.OCIRepository{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("OCIRepository after Delete: %v, want it deleted", err)
	}
}

// With --no-cross-namespace-refs a template whose source is in another
// namespace is refused (stalled, AccessDenied) and nothing is created.
func TestCrossNamespaceTemplateRefused(t *testing.T) {
	ns, sourceNS := testkit.NewNamespace(t, cp.Client), testkit.NewNamespace(t, cp.Client)
	hr := newRelease(ns, sourceNS)
	err := charttemplate.New(cp.Client, "helm-controller", true).Reconcile(context.Background(), hr)
	if skeleton.ReasonOf(err) != "AccessDenied" || !strings.Contains(err.Error(), "--no-cross-namespace-refs") {
		t.Fatalf("Reconcile = %v (reason %s), want AccessDenied naming the flag", err, skeleton.ReasonOf(err))
	}
	if _, err := getChart(t, sourceNS, ns+"-podinfo"); !apierrors.IsNotFound(err) {
		t.Errorf("HelmChart created despite the refusal: %v", err)
	}
}
