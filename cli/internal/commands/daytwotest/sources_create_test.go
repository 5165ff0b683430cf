package daytwotest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/commands/create"
	"github.com/tidegitops/tide/testkit"
)

// The manifests `flux create source ... --export` prints for the same
// flags (its golden files, with the namespace filled in): Tide's must be
// byte for byte equal, so either tool's output can be committed.
const (
	fluxHelmRepositoryHTTPS = `---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
  namespace: NS
spec:
  interval: 5m0s
  url: https://stefanprodan.github.io/charts/podinfo
`
	fluxHelmRepositoryOCI = `---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
  namespace: NS
spec:
  interval: 5m0s
  secretRef:
    name: creds
  type: oci
  url: oci://ghcr.io/stefanprodan/charts/podinfo
`
	fluxHelmChart = `---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata:
  name: podinfo
  namespace: NS
spec:
  chart: podinfo
  interval: 10m0s
  reconcileStrategy: ChartVersion
  sourceRef:
    kind: HelmRepository
    name: podinfo
  version: 6.x
`
	// flux create source oci sets provider from its --provider flag,
	// whose default is generic.
	fluxOCIRepository = `---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: podinfo
  namespace: NS
spec:
  interval: 10m0s
  provider: generic
  ref:
    tag: 6.3.5
  secretRef:
    name: creds
  url: oci://ghcr.io/stefanprodan/manifests/podinfo
`
)

func TestCreateSourcesExportAsFlux(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"helm https", []string{"source", "helm", "podinfo", "--url=https://stefanprodan.github.io/charts/podinfo", "--interval=5m"}, fluxHelmRepositoryHTTPS},
		{"helm oci", []string{"source", "helm", "podinfo", "--url=oci://ghcr.io/stefanprodan/charts/podinfo", "--secret-ref=creds", "--interval=5m"}, fluxHelmRepositoryOCI},
		{"chart", []string{"source", "chart", "podinfo", "--source=helmrepository/podinfo", "--chart=podinfo", "--chart-version=6.x", "--interval=10m"}, fluxHelmChart},
		{"oci", []string{"source", "oci", "podinfo", "--url=oci://ghcr.io/stefanprodan/manifests/podinfo", "--tag=6.3.5", "--secret-ref=creds", "--interval=10m"}, fluxOCIRepository},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			r := run(t, create.New, ns, "", append(tt.args, "--export")...)
			g.Expect(r.err).NotTo(HaveOccurred())
			g.Expect(r.stdout).To(Equal(strings.ReplaceAll(tt.want, "NS", ns)))
		})
	}
	for _, kind := range []client.Object{&sourcev1.HelmRepository{}, &sourcev1.HelmChart{}, &sourcev1.OCIRepository{}} {
		err := cp.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "podinfo"}, kind)
		NewWithT(t).Expect(apierrors.IsNotFound(err)).To(BeTrue(), "--export must not create %T", kind)
	}
}

func TestCreateSourceHelm(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	args := []string{"source", "helm", "charts", "--url=https://charts.example.com/stable", "--secret-ref=charts-auth", "--pass-credentials", "--interval=10m"}
	r := run(t, create.New, ns, "", append(args, "--export")...)
	g.Expect(r.err).NotTo(HaveOccurred())
	exported := &sourcev1.HelmRepository{}
	g.Expect(yaml.UnmarshalStrict([]byte(r.stdout[len("---\n"):]), exported)).To(Succeed())
	g.Expect(exported.Spec).To(Equal(sourcev1.HelmRepositorySpec{
		URL: "https://charts.example.com/stable", Interval: metav1.Duration{Duration: 10 * time.Minute},
		SecretRef: &meta.LocalObjectReference{Name: "charts-auth"}, PassCredentials: true,
	}))

	repo := &sourcev1.HelmRepository{ObjectMeta: metav1.ObjectMeta{Name: "charts", Namespace: ns}}
	controllerFor(t, repo, "sha256:1d2e3f")
	r = run(t, create.New, ns, "", args...)
	g.Expect(r.err).NotTo(HaveOccurred())
	assertPlain(t, r.stderr)
	g.Expect(r.stderr).To(HaveSuffix("✔ fetched revision sha256:1d2e3f\n"))
	g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(repo), repo)).To(Succeed())
	g.Expect(repo.Spec.URL).To(Equal(exported.Spec.URL))
	g.Expect(repo.Spec.SecretRef).To(Equal(exported.Spec.SecretRef))
	g.Expect(repo.Spec.PassCredentials).To(BeTrue())
	g.Expect(repo.Spec.Interval).To(Equal(exported.Spec.Interval))
}

// A HelmRepository of type oci is static, as in Flux: create applies it
// and does not wait for a controller that will never report on it.
func TestCreateSourceHelmOCIIsStatic(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	r := run(t, create.New, ns, "", "source", "helm", "registry", "--url=oci://ghcr.io/org/charts", "--timeout=5s")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(ContainSubstring("static (type oci)"))
	repo := &sourcev1.HelmRepository{}
	g.Expect(cp.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "registry"}, repo)).To(Succeed())
	g.Expect(repo.Spec.Type).To(Equal(sourcev1.HelmRepositoryTypeOCI))
}

func TestCreateSourceChart(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	args := []string{"source", "chart", "app", "--source=GitRepository/fleet", "--chart=./charts/app", "--reconcile-strategy=Revision"}
	chart := &sourcev1.HelmChart{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: ns}}
	controllerFor(t, chart, "1.0.0+4b0c1f2ea1b2")
	r := run(t, create.New, ns, "", args...)
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(HaveSuffix("✔ fetched revision 1.0.0+4b0c1f2ea1b2\n"))
	g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(chart), chart)).To(Succeed())
	g.Expect(chart.Spec.SourceRef).To(Equal(sourcev1.LocalHelmChartSourceReference{Kind: "GitRepository", Name: "fleet"}))
	g.Expect(chart.Spec.Chart).To(Equal("./charts/app"))
	g.Expect(chart.Spec.ReconcileStrategy).To(Equal(sourcev1.ReconcileStrategyRevision))
	g.Expect(chart.Spec.Interval.Duration).To(Equal(time.Minute))
}

func TestCreateSourceOCI(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	args := []string{"source", "oci", "manifests", "--url=oci://registry.example.com/fleet/manifests", "--tag-semver=>=1.0.0",
		"--cert-ref=registry-ca", "--ignore-paths=docs/,*.md", "--insecure"}
	r := run(t, create.New, ns, "", append(args, "--export")...)
	g.Expect(r.err).NotTo(HaveOccurred())
	exported := &sourcev1.OCIRepository{}
	g.Expect(yaml.UnmarshalStrict([]byte(r.stdout[len("---\n"):]), exported)).To(Succeed())
	ignore := "docs/\n*.md"
	g.Expect(exported.Spec).To(Equal(sourcev1.OCIRepositorySpec{
		URL: "oci://registry.example.com/fleet/manifests", Reference: &sourcev1.OCIRepositoryRef{SemVer: ">=1.0.0"},
		Provider: "generic", CertSecretRef: &meta.LocalObjectReference{Name: "registry-ca"}, Ignore: &ignore, Insecure: true,
		Interval: &metav1.Duration{Duration: time.Minute},
	}))

	repo := &sourcev1.OCIRepository{ObjectMeta: metav1.ObjectMeta{Name: "manifests", Namespace: ns}}
	controllerFor(t, repo, "1.2.0@sha256:abcd")
	r = run(t, create.New, ns, "", args...)
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(HaveSuffix("✔ fetched revision 1.2.0@sha256:abcd\n"))
	g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(repo), repo)).To(Succeed())
	g.Expect(repo.Spec.Reference).To(Equal(exported.Spec.Reference))
	g.Expect(repo.Spec.Ignore).To(Equal(&ignore))
	g.Expect(repo.Spec.CertSecretRef).To(Equal(exported.Spec.CertSecretRef))
}

func TestCreateKustomizationFromOCIRepository(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	r := run(t, create.New, ns, "", "kustomization", "apps", "--source=ocirepository/manifests", "--path=./", "--prune", "--export")
	g.Expect(r.err).NotTo(HaveOccurred())
	ks := &kustomizev1.Kustomization{}
	g.Expect(yaml.UnmarshalStrict([]byte(r.stdout[len("---\n"):]), ks)).To(Succeed())
	g.Expect(ks.Spec.SourceRef).To(Equal(kustomizev1.CrossNamespaceSourceReference{Kind: "OCIRepository", Name: "manifests"}))
}

func TestCreateSourcesInvalid(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"helm scheme", []string{"helm", "x", "--url=ftp://charts.example.com"}, `--url scheme "ftp" is not supported: use https, http or oci`},
		{"helm no host", []string{"helm", "x", "--url=charts"}, `--url "charts" is not a Helm repository URL`},
		{"helm credentials in url", []string{"helm", "x", "--url=https://u:p@charts.example.com"}, "--url must not contain credentials"},
		{"helm pass credentials alone", []string{"helm", "x", "--url=https://charts.example.com", "--pass-credentials"}, "pass --secret-ref (or --username and --password) too"},
		{"helm cloud provider", []string{"helm", "x", "--url=oci://ghcr.io/org", "--oci-provider=aws"}, "--oci-provider aws is not supported by Tide yet"},
		{"helm provider on https", []string{"helm", "x", "--url=https://charts.example.com", "--oci-provider=generic"}, "--oci-provider is for oci:// URLs only"},
		{"chart bucket", []string{"chart", "x", "--source=Bucket/b", "--chart=app"}, `--source kind "Bucket" is not supported: use --source=HelmRepository/NAME or --source=GitRepository/NAME`},
		{"chart no kind", []string{"chart", "x", "--source=charts", "--chart=app"}, `--source "charts": name the kind too`},
		{"chart strategy", []string{"chart", "x", "--source=HelmRepository/charts", "--chart=app", "--reconcile-strategy=Always"}, `--reconcile-strategy "Always" is unknown`},
		{"oci scheme", []string{"oci", "x", "--url=https://ghcr.io/org/app", "--tag=1"}, "is not an OCI repository: use oci://registry/path/name"},
		{"oci no repository", []string{"oci", "x", "--url=oci://ghcr.io", "--tag=1"}, "is not an OCI repository"},
		{"oci no ref", []string{"oci", "x", "--url=oci://ghcr.io/org/app"}, "pass --tag, --tag-semver or --digest"},
		{"oci digest", []string{"oci", "x", "--url=oci://ghcr.io/org/app", "--digest=abc"}, `--digest "abc": use the artifact's sha256:<hex> digest`},
		{"oci provider", []string{"oci", "x", "--url=oci://ghcr.io/org/app", "--tag=1", "--provider=gcp"}, "--provider gcp is not supported by Tide yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, create.New, ns, "", append([]string{"source"}, tt.args...)...)
			NewWithT(t).Expect(r.err).To(MatchError(ContainSubstring(tt.want)))
		})
	}
}
