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
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/commands/delete"
	"github.com/tidegitops/tide/cli/internal/commands/export"
	"github.com/tidegitops/tide/cli/internal/commands/get"
	"github.com/tidegitops/tide/cli/internal/commands/reconcile"
	"github.com/tidegitops/tide/cli/internal/commands/resume"
	"github.com/tidegitops/tide/cli/internal/commands/suspend"
	"github.com/tidegitops/tide/cli/internal/objects"
	"github.com/tidegitops/tide/testkit"
)

func newHelmRepo(t *testing.T, ns, name string, mutate ...func(*sourcev1.HelmRepository)) *sourcev1.HelmRepository {
	t.Helper()
	r := &sourcev1.HelmRepository{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       sourcev1.HelmRepositorySpec{URL: "https://charts.example.com/" + name, Interval: metav1.Duration{Duration: time.Minute}},
	}
	for _, m := range mutate {
		m(r)
	}
	createObject(t, r)
	return r
}

func newHelmChart(t *testing.T, ns, name string) *sourcev1.HelmChart {
	t.Helper()
	c := &sourcev1.HelmChart{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: sourcev1.HelmChartSpec{
			Chart: name, Version: "1.x", Interval: metav1.Duration{Duration: time.Minute},
			SourceRef: sourcev1.LocalHelmChartSourceReference{Kind: sourcev1.HelmRepositoryKind, Name: "charts"},
		},
	}
	createObject(t, c)
	return c
}

func newOCIRepo(t *testing.T, ns, name string) *sourcev1.OCIRepository {
	t.Helper()
	r := &sourcev1.OCIRepository{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: sourcev1.OCIRepositorySpec{
			URL: "oci://registry.example.com/fleet/" + name, Interval: &metav1.Duration{Duration: time.Minute},
			Reference: &sourcev1.OCIRepositoryRef{Tag: "latest"},
		},
	}
	createObject(t, r)
	return r
}

func createObject(t *testing.T, obj client.Object) {
	t.Helper()
	if err := cp.Client.Create(context.Background(), obj); err != nil {
		t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
}

// Every day-2 verb works on every new source kind, as it does on
// GitRepositories: get, suspend, resume, reconcile, export and delete.
func TestDayTwoOnHelmAndOCISources(t *testing.T) {
	tests := []struct {
		word     string
		kind     string
		newObj   func(t *testing.T, ns string) client.Object
		revision string
	}{
		{"helm", "HelmRepository", func(t *testing.T, ns string) client.Object { return newHelmRepo(t, ns, "src") }, "sha256:9f2c"},
		{"chart", "HelmChart", func(t *testing.T, ns string) client.Object { return newHelmChart(t, ns, "src") }, "1.2.3"},
		{"oci", "OCIRepository", func(t *testing.T, ns string) client.Object { return newOCIRepo(t, ns, "src") }, "latest@sha256:77aa"},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			g := NewWithT(t)
			ctx := context.Background()
			ns := testkit.NewNamespace(t, cp.Client)
			obj := tt.newObj(t, ns)
			setStatus(t, obj, "", tt.revision, metav1.ConditionTrue, "stored artifact for revision '"+tt.revision+"'")

			r := run(t, get.New, ns, "", "sources", tt.word)
			g.Expect(r.err).NotTo(HaveOccurred())
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			g.Expect(lines).To(HaveLen(2))
			g.Expect(strings.Fields(lines[1])[:4]).To(Equal([]string{"src", tt.revision, "false", "True"}))

			r = run(t, suspend.New, ns, "", "source", tt.word, "src")
			g.Expect(r.err).NotTo(HaveOccurred())
			g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj)).To(Succeed())
			g.Expect(objects.Suspended(obj)).To(BeTrue())

			r = run(t, reconcile.New, ns, "", "source", tt.word, "src")
			g.Expect(r.err).To(MatchError(ContainSubstring("'src' is suspended: resume it with 'tide resume source " + tt.word + " src")))

			fakeController(t, obj, tt.revision, metav1.ConditionTrue, "stored artifact")
			r = run(t, resume.New, ns, "", "source", tt.word, "src")
			g.Expect(r.err).NotTo(HaveOccurred())
			g.Expect(r.stderr).To(HaveSuffix("✔ fetched revision " + tt.revision + "\n"))
			g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj)).To(Succeed())
			g.Expect(objects.Suspended(obj)).To(BeFalse())

			r = run(t, reconcile.New, ns, "", "source", tt.word, "src")
			g.Expect(r.err).NotTo(HaveOccurred())
			g.Expect(r.stderr).To(ContainSubstring("✔ " + tt.kind + " reconciliation completed\n"))

			r = run(t, export.New, ns, "", "source", tt.word, "src")
			g.Expect(r.err).NotTo(HaveOccurred())
			g.Expect(r.stdout).To(HavePrefix("---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: " + tt.kind + "\nmetadata:\n  name: src\n  namespace: " + ns + "\nspec:\n"))
			g.Expect(r.stdout).NotTo(ContainSubstring("status"))

			r = run(t, delete.New, ns, "", "source", tt.word, "src", "--silent")
			g.Expect(r.err).NotTo(HaveOccurred())
			g.Expect(r.stderr).To(ContainSubstring("✔ source " + tt.word + " deleted"))
			g.Expect(apierrors.IsNotFound(cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj))).To(BeTrue())
		})
	}
}

func TestGetSourcesAll(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	newGitRepo(t, ns, "fleet")
	newHelmRepo(t, ns, "charts")
	newHelmChart(t, ns, "app")
	newOCIRepo(t, ns, "manifests")
	newKustomization(t, ns, "apps", "fleet")

	r := run(t, get.New, ns, "", "sources", "all")
	g.Expect(r.err).NotTo(HaveOccurred())
	var names []string
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] != "NAME" {
			names = append(names, f[0])
		}
	}
	g.Expect(names).To(Equal([]string{"gitrepository/fleet", "helmrepository/charts", "helmchart/app", "ocirepository/manifests"}))

	r = run(t, get.New, ns, "", "all")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stdout).To(ContainSubstring("kustomization/apps"))
	g.Expect(r.stdout).To(ContainSubstring("ocirepository/manifests"))

	empty := testkit.NewNamespace(t, cp.Client)
	r = run(t, get.New, empty, "", "sources", "oci")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(Equal("no OCIRepository sources found in namespace '" + empty + "'\n"))
	r = run(t, get.New, empty, "", "sources", "all")
	g.Expect(r.stderr).To(Equal("no sources found in namespace '" + empty + "'\n"))
}

// A HelmRepository of type oci is static, as in Flux: tide shows it as
// such, and reconcile says it is not supported (exit 0, as flux) instead of
// waiting forever.
func TestStaticHelmRepository(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	newHelmRepo(t, ns, "registry", func(r *sourcev1.HelmRepository) {
		r.Spec.Type = sourcev1.HelmRepositoryTypeOCI
		r.Spec.URL = "oci://ghcr.io/org/charts"
	})

	r := run(t, get.New, ns, "", "sources", "helm", "-o", "json")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stdout).To(ContainSubstring(objects.StaticMessage))

	r = run(t, reconcile.New, ns, "", "source", "helm", "registry")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(Equal("✔ reconciliation not supported by the object: HelmRepository registry is static (type oci); reconcile the HelmCharts that use it\n"))
	repo := &sourcev1.HelmRepository{}
	g.Expect(cp.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "registry"}, repo)).To(Succeed())
	g.Expect(repo.Annotations).NotTo(HaveKey(meta.ReconcileRequestAnnotation), "nothing to request")

	r = run(t, resume.New, ns, "", "source", "helm", "registry", "--timeout=5s")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(ContainSubstring("nothing to wait for"))
}

func TestReconcileKustomizationWithOCISource(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	repo := newOCIRepo(t, ns, "manifests")
	ks := newKustomization(t, ns, "apps", "manifests", func(k *kustomizev1.Kustomization) {
		k.Spec.SourceRef.Kind = sourcev1.OCIRepositoryKind
	})
	fakeController(t, repo, "latest@sha256:1234", metav1.ConditionTrue, "stored artifact")
	fakeController(t, ks, "latest@sha256:1234", metav1.ConditionTrue, "Applied revision: latest@sha256:1234")

	r := run(t, reconcile.New, ns, "", "ks", "apps", "--with-source")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(MatchRegexp(`(?s)annotating OCIRepository manifests.*fetched revision latest@sha256:1234\n.*annotating Kustomization apps.*✔ applied revision latest@sha256:1234\n$`))
}

// As `flux reconcile source chart --with-source`: the chart's
// HelmRepository first, then the chart; a static (oci) one is skipped.
func TestReconcileHelmChartWithSource(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	repo := newHelmRepo(t, ns, "charts")
	chart := newHelmChart(t, ns, "app")
	fakeController(t, repo, "sha256:4d5e", metav1.ConditionTrue, "stored artifact")
	fakeController(t, chart, "1.4.0", metav1.ConditionTrue, "pulled 'app' chart with version '1.4.0'")

	r := run(t, reconcile.New, ns, "", "source", "chart", "app", "--with-source")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(MatchRegexp(`(?s)annotating HelmRepository charts.*fetched revision sha256:4d5e\n.*annotating HelmChart app.*✔ fetched revision 1.4.0\n$`))

	g.Expect(cp.Client.Patch(context.Background(), repo, client.RawPatch(types.MergePatchType,
		[]byte(`{"spec":{"type":"oci","url":"oci://ghcr.io/org/charts"}}`)))).To(Succeed())
	r = run(t, reconcile.New, ns, "", "source", "chart", "app", "--with-source")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(ContainSubstring("✔ reconciliation not supported by the object: HelmRepository charts is static (type oci)"))
	g.Expect(r.stderr).To(HaveSuffix("✔ fetched revision 1.4.0\n"))
}
