package daytwotest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/commands/create"
	"github.com/tidegitops/tide/cli/internal/commands/delete"
	"github.com/tidegitops/tide/cli/internal/commands/events"
	"github.com/tidegitops/tide/cli/internal/commands/export"
	"github.com/tidegitops/tide/cli/internal/commands/get"
	"github.com/tidegitops/tide/cli/internal/commands/reconcile"
	"github.com/tidegitops/tide/cli/internal/commands/resume"
	"github.com/tidegitops/tide/cli/internal/commands/suspend"
	"github.com/tidegitops/tide/cli/internal/commands/tree"
	"github.com/tidegitops/tide/testkit"
)

// What `flux create helmrelease ... --export` prints for the same flags
// (values files merged deeply, a later file winning), with the namespace
// filled in: Tide's output must be byte for byte equal.
const (
	fluxHelmReleaseTemplate = `---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: NS
spec:
  chart:
    spec:
      chart: podinfo
      interval: 5m0s
      reconcileStrategy: Revision
      sourceRef:
        kind: HelmRepository
        name: podinfo
        namespace: flux-system
      version: '>4.0.0'
  dependsOn:
  - name: db
    namespace: infra
  - name: cache
  install:
    crds: Create
    createNamespace: true
  interval: 10m0s
  releaseName: web
  serviceAccountName: deployer
  targetNamespace: test
  upgrade:
    crds: CreateReplace
  values:
    image:
      repository: ghcr.io/podinfo
      tag: 6.5.0
    replicas: 3
  valuesFrom:
  - kind: Secret
    name: secret-values
  - kind: ConfigMap
    name: shared-values
`
	fluxHelmReleaseChartRef = `---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: NS
spec:
  chartRef:
    kind: OCIRepository
    name: podinfo
    namespace: charts
  interval: 1m0s
  kubeConfig:
    secretRef:
      name: prod-kubeconfig
  storageNamespace: helm-storage
`
)

func TestCreateHelmReleaseExportAsFlux(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	dir := t.TempDir()
	first, second := filepath.Join(dir, "base.yaml"), filepath.Join(dir, "prod.yaml")
	if err := os.WriteFile(first, []byte("image:\n  repository: ghcr.io/podinfo\n  tag: 6.4.0\nreplicas: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(second, []byte("image:\n  tag: 6.5.0\nreplicas: 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"chart template", []string{"helmrelease", "podinfo", "--source=HelmRepository/podinfo.flux-system", "--chart=podinfo",
			"--chart-version=>4.0.0", "--chart-interval=5m", "--reconcile-strategy=Revision", "--interval=10m", "--release-name=web",
			"--target-namespace=test", "--create-target-namespace", "--service-account=deployer", "--crds=CreateReplace",
			"--depends-on=infra/db,cache", "--values=" + first, "--values", second,
			"--values-from=Secret/secret-values,configmap/shared-values"}, fluxHelmReleaseTemplate},
		{"chartRef", []string{"hr", "podinfo", "--chart-ref=OCIRepository/podinfo.charts", "--storage-namespace=helm-storage",
			"--kubeconfig-secret-ref=prod-kubeconfig"}, fluxHelmReleaseChartRef},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			r := run(t, create.New, ns, "", append(tt.args, "--export")...)
			g.Expect(r.err).NotTo(HaveOccurred())
			g.Expect(r.stdout).To(Equal(strings.ReplaceAll(tt.want, "NS", ns)))
		})
	}
	err := cp.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "podinfo"}, &helmv2.HelmRelease{})
	NewWithT(t).Expect(apierrors.IsNotFound(err)).To(BeTrue(), "--export must not create the HelmRelease")
}

func TestCreateHelmReleaseInvalid(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no chart", []string{"--source=HelmRepository/podinfo"}, "say which chart: pass --chart=NAME with --source=HelmRepository/NAME, or --chart-ref=OCIRepository/NAME or HelmChart/NAME"},
		{"both forms", []string{"--source=HelmRepository/podinfo", "--chart=podinfo", "--chart-ref=HelmChart/podinfo"}, "--chart-ref names an existing chart source: drop --chart and --source, or drop --chart-ref"},
		{"bucket source", []string{"--source=Bucket/charts", "--chart=./podinfo"}, `--source kind "Bucket" is not supported: use --source=HelmRepository/NAME or --source=GitRepository/NAME`},
		{"chartRef kind", []string{"--chart-ref=GitRepository/podinfo"}, `--chart-ref kind "GitRepository" is not supported: use --chart-ref=OCIRepository/NAME or --chart-ref=HelmChart/NAME`},
		{"values-from kind", []string{"--chart-ref=HelmChart/podinfo", "--values-from=Deployment/x"}, `--values-from kind "Deployment" is not supported: use one of Secret, ConfigMap`},
		{"values file missing", []string{"--chart-ref=HelmChart/podinfo", "--values=/nonexistent/values.yaml"}, "--values: read /nonexistent/values.yaml"},
		{"crds", []string{"--chart-ref=HelmChart/podinfo", "--crds=Always"}, `--crds "Always": use one of Skip, Create, CreateReplace`},
		{"strategy", []string{"--source=HelmRepository/podinfo", "--chart=podinfo", "--reconcile-strategy=Often"}, `--reconcile-strategy "Often": use ChartVersion or Revision`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, create.New, ns, "", append([]string{"helmrelease", "podinfo"}, tt.args...)...)
			NewWithT(t).Expect(r.err).To(MatchError(ContainSubstring(tt.want)))
		})
	}
}

// helmController stands in for the helm-controller on the HelmRelease key
// until the test ends: on each new request or generation it records a
// release of chartVersion with inventory, Ready=True, and the handled
// request token.
func helmController(t *testing.T, key client.ObjectKey, chartVersion string, inventory ...string) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			time.Sleep(50 * time.Millisecond)
			hr := &helmv2.HelmRelease{}
			if err := cp.Client.Get(ctx, key, hr); err != nil {
				continue
			}
			token := hr.GetAnnotations()[meta.ReconcileRequestAnnotation]
			if hr.Spec.Suspend || (token == hr.Status.LastHandledReconcileAt && hr.Status.ObservedGeneration == hr.Generation) {
				continue
			}
			hr.Status.LastHandledReconcileAt = token
			hr.Status.ObservedGeneration = hr.Generation
			hr.Status.LastAttemptedRevision = chartVersion
			now := metav1.Now()
			hr.Status.History = helmv2.Snapshots{{Name: key.Name, Namespace: key.Namespace, Version: 1, Status: "deployed",
				ChartName: "podinfo", ChartVersion: chartVersion, ConfigDigest: "sha256:00", Digest: "sha256:11", FirstDeployed: now, LastDeployed: now}}
			hr.Status.Inventory = &helmv2.ResourceInventory{Entries: []helmv2.ResourceRef{}}
			for _, id := range inventory {
				hr.Status.Inventory.Entries = append(hr.Status.Inventory.Entries, helmv2.ResourceRef{ID: id, Version: "v1"})
			}
			hr.Status.Conditions = []metav1.Condition{{Type: meta.ReadyCondition, Status: metav1.ConditionTrue, Reason: "InstallSucceeded",
				Message: "Helm install succeeded for release " + key.Name, ObservedGeneration: hr.Generation, LastTransitionTime: now}}
			if err := cp.Client.Status().Update(ctx, hr); err != nil {
				t.Logf("stand-in helm-controller: %v", err)
			}
		}
	}()
}

func TestCreateHelmReleaseWaitsForReady(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	helmController(t, client.ObjectKey{Namespace: ns, Name: "podinfo"}, "6.5.0")
	r := run(t, create.New, ns, "", "helmrelease", "podinfo", "--chart-ref=OCIRepository/podinfo")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(ContainSubstring("✔ HelmRelease reconciliation completed\n"))
	g.Expect(r.stderr).To(HaveSuffix("✔ applied revision 6.5.0\n"))
	hr := &helmv2.HelmRelease{}
	g.Expect(cp.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "podinfo"}, hr)).To(Succeed())
	g.Expect(hr.Spec.ChartRef).To(Equal(&helmv2.CrossNamespaceSourceReference{Kind: "OCIRepository", Name: "podinfo"}))
}

// Every day-2 verb works on HelmReleases as on the other kinds; reconcile
// also takes flux's --force and --reset, and --with-source reconciles the
// template's HelmChart after its HelmRepository, as flux does.
func TestDayTwoOnHelmRelease(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	repo := newHelmRepo(t, ns, "charts")
	chart := &sourcev1.HelmChart{
		ObjectMeta: metav1.ObjectMeta{Name: ns + "-web", Namespace: ns},
		Spec: sourcev1.HelmChartSpec{Chart: "podinfo", Interval: metav1.Duration{Duration: time.Minute},
			SourceRef: sourcev1.LocalHelmChartSourceReference{Kind: sourcev1.HelmRepositoryKind, Name: "charts"}},
	}
	createObject(t, chart)
	hr := &helmv2.HelmRelease{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec: helmv2.HelmReleaseSpec{Interval: metav1.Duration{Duration: time.Minute}, Chart: &helmv2.HelmChartTemplate{
			Spec: helmv2.HelmChartTemplateSpec{Chart: "podinfo", SourceRef: &helmv2.CrossNamespaceObjectReference{Kind: sourcev1.HelmRepositoryKind, Name: "charts"}}}},
	}
	createObject(t, hr)
	key := client.ObjectKeyFromObject(hr)
	helmController(t, key, "6.5.0", ns+"_web_apps_Deployment", ns+"_web__Service")
	g.Eventually(func() string {
		_ = cp.Client.Get(ctx, key, hr)
		return hr.Status.LastAttemptedRevision
	}, testkit.Timeout, 50*time.Millisecond).Should(Equal("6.5.0"))

	r := run(t, get.New, ns, "", "helmreleases")
	g.Expect(r.err).NotTo(HaveOccurred())
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	g.Expect(lines).To(HaveLen(2))
	g.Expect(strings.Fields(lines[0])).To(Equal([]string{"NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"}))
	g.Expect(lines[1]).To(MatchRegexp(`^web\s+6\.5\.0\s+false\s+True\s+Helm install succeeded for release web$`))

	r = run(t, tree.New, ns, "", "helmrelease", "web")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stdout).To(Equal("HelmRelease/" + ns + "/web\n├── Deployment/" + ns + "/web\n└── Service/" + ns + "/web\n"))

	r = run(t, suspend.New, ns, "", "helmrelease", "web")
	g.Expect(r.err).NotTo(HaveOccurred())
	r = run(t, reconcile.New, ns, "", "hr", "web")
	g.Expect(r.err).To(MatchError(ContainSubstring("'web' is suspended: resume it with 'tide resume helmrelease web")))
	r = run(t, resume.New, ns, "", "helmrelease", "web")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(HaveSuffix("✔ applied revision 6.5.0\n"))

	r = run(t, reconcile.New, ns, "", "helmrelease", "web", "--force", "--reset")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(cp.Client.Get(ctx, key, hr)).To(Succeed())
	token := hr.Annotations[meta.ReconcileRequestAnnotation]
	g.Expect(hr.Annotations).To(HaveKeyWithValue(helmv2.ForceRequestAnnotation, token))
	g.Expect(hr.Annotations).To(HaveKeyWithValue(helmv2.ResetRequestAnnotation, token))

	fakeController(t, repo, "sha256:9f2c", metav1.ConditionTrue, "stored index")
	fakeController(t, chart, "6.5.0", metav1.ConditionTrue, "pulled chart")
	r = run(t, reconcile.New, ns, "", "helmrelease", "web", "--with-source")
	g.Expect(r.err).NotTo(HaveOccurred())
	repoAt := strings.Index(r.stderr, "annotating HelmRepository charts")
	chartAt := strings.Index(r.stderr, "annotating HelmChart "+ns+"-web")
	hrAt := strings.Index(r.stderr, "annotating HelmRelease web")
	g.Expect(repoAt).To(BeNumerically(">=", 0), r.stderr)
	g.Expect(chartAt).To(BeNumerically(">", repoAt), r.stderr)
	g.Expect(hrAt).To(BeNumerically(">", chartAt), r.stderr)

	newEvent(t, ns, "HelmRelease", "web", "InstallSucceeded", "Helm install succeeded", time.Now().Add(-time.Minute))
	newEvent(t, ns, "HelmChart", ns+"-web", "ChartPullSucceeded", "pulled podinfo", time.Now().Add(-time.Minute))
	r = run(t, events.New, ns, "", "--for", "HelmRelease/web")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stdout).To(MatchRegexp(`(?m)InstallSucceeded\s+HelmRelease/web\s+Helm install succeeded$`))
	g.Expect(r.stdout).NotTo(ContainSubstring("HelmChart/"))

	r = run(t, export.New, ns, "", "helmrelease", "web")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stdout).To(HavePrefix("---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\n  namespace: " + ns + "\nspec:\n"))
	g.Expect(r.stdout).NotTo(ContainSubstring("forceAt"))
	g.Expect(r.stdout).NotTo(ContainSubstring("status"))

	r = run(t, get.New, ns, "", "all")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stdout).To(ContainSubstring("helmrelease/web"))

	r = run(t, delete.New, ns, "", "helmrelease", "web", "--silent")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(apierrors.IsNotFound(cp.Client.Get(ctx, key, hr))).To(BeTrue())
}
