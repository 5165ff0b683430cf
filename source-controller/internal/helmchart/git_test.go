package helmchart

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/source-controller/internal/chartbuild"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/helmserver"
)

// chartRepo is a Git repository with an app chart depending on a library
// chart next to it (file://), and values files for environments.
func chartRepo(version string) map[string]string {
	return map[string]string{
		"charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: " + version + "\n" +
			"dependencies:\n- name: lib\n  version: '^0.2.0'\n  repository: file://../lib\n",
		"charts/app/values.yaml":            "replicas: 1\nimage:\n  repo: app\n  tag: v1\n",
		"charts/app/templates/cm.yaml":      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
		"charts/lib/Chart.yaml":             "apiVersion: v2\nname: lib\nversion: 0.2.1\ntype: library\n",
		"charts/lib/templates/_helpers.tpl": "{{- define \"lib.name\" -}}lib{{- end -}}\n",
		"env/prod.yaml":                     "image:\n  tag: v2\nreplicas: 3\n",
	}
}

// loadArtifact downloads the chart artifact and loads it with Helm.
func loadArtifact(t *testing.T, a *meta.Artifact) (name, version string, values map[string]any, deps []string) {
	t.Helper()
	c, err := chartbuild.LoadArchive(download(t, a))
	if err != nil {
		t.Fatalf("artifact is not a chart: %v", err)
	}
	for _, d := range c.Dependencies() {
		deps = append(deps, d.Name()+"-"+d.Metadata.Version)
	}
	return c.Name(), c.Metadata.Version, c.Values, deps
}

// A chart folder in a Git artifact is packaged with its file://
// dependency and the values files merged in order, at Flux's path and
// version (the generation appended when values files are set).
func TestGitChartPackaged(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	repo := gitSource(t, ns, chartRepo("1.2.3"))
	obj := newChart(ns, sourcev1.GitRepositoryKind, repo.Name, "./charts/app", func(c *sourcev1.HelmChart) {
		c.Spec.ValuesFiles = []string{"charts/app/values.yaml", "env/prod.yaml"}
	})
	create(t, obj)
	waitReady(t, obj)

	ready := conditions.Get(obj, meta.ReadyCondition)
	g.Expect(ready.Reason).To(Equal(sourcev1.ChartPackageSucceededReason))
	g.Expect(ready.Message).To(Equal("packaged 'app' chart with version '1.2.3+1' and merged values files [charts/app/values.yaml env/prod.yaml]"))
	g.Expect(obj.Status.Artifact.Path).To(Equal("helmchart/" + ns + "/" + obj.Name + "/app-1.2.3+1.tgz"))
	g.Expect(obj.Status.Artifact.Revision).To(Equal("1.2.3+1"))
	g.Expect(obj.Status.URL).To(Equal(strings.TrimSuffix(obj.Status.Artifact.URL, "app-1.2.3+1.tgz") + "latest.tar.gz"))
	latest := *obj.Status.Artifact
	latest.URL = obj.Status.URL
	download(t, &latest) // the link serves the current chart
	g.Expect(obj.Status.ObservedChartName).To(Equal("app"))
	g.Expect(obj.Status.ObservedSourceArtifactRevision).To(Equal(repo.Status.Artifact.Revision))
	g.Expect(obj.Status.ObservedValuesFiles).To(Equal([]string{"charts/app/values.yaml", "env/prod.yaml"}))
	g.Expect(conditions.IsTrue(obj, sourcev1.ArtifactInStorageCondition)).To(BeTrue())

	name, version, values, deps := loadArtifact(t, obj.Status.Artifact)
	g.Expect(name).To(Equal("app"))
	g.Expect(version).To(Equal("1.2.3+1"))
	g.Expect(deps).To(Equal([]string{"lib-0.2.1"}))
	g.Expect(values).To(HaveKeyWithValue("replicas", BeNumerically("==", 3)))
	g.Expect(values["image"]).To(Equal(map[string]any{"repo": "app", "tag": "v2"}))
	waitEventReason(t, obj, sourcev1.ChartPackageSucceededReason)
}

// reconcileStrategy: ChartVersion keeps the artifact over a new commit of
// the same chart version; Revision appends the commit's first 12 hex digits
// and builds one per commit.
func TestGitReconcileStrategy(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	repo := gitSource(t, ns, chartRepo("1.0.0"))
	byVersion := newChart(ns, sourcev1.GitRepositoryKind, repo.Name, "charts/app")
	byRevision := newChart(ns, sourcev1.GitRepositoryKind, repo.Name, "charts/app", func(c *sourcev1.HelmChart) {
		c.Spec.ReconcileStrategy = sourcev1.ReconcileStrategyRevision
	})
	create(t, byVersion)
	create(t, byRevision)
	waitVersion(t, byVersion, "1.0.0")
	first := shortHash(repo.Status.Artifact.Revision)
	waitVersion(t, byRevision, "1.0.0+"+first)
	digest := byVersion.Status.Artifact.Digest

	files := chartRepo("1.0.0")
	files["charts/app/templates/cm.yaml"] += "data: {}\n"
	push(t, repo, files)
	second := shortHash(repo.Status.Artifact.Revision)
	g.Expect(second).NotTo(Equal(first))
	waitVersion(t, byRevision, "1.0.0+"+second)
	g.Eventually(func() string {
		_ = env.CP.Client.Get(context.Background(), client.ObjectKeyFromObject(byVersion), byVersion)
		return byVersion.Status.ObservedSourceArtifactRevision
	}, testkit.Timeout).Should(Equal(repo.Status.Artifact.Revision))
	g.Expect(byVersion.Status.Artifact.Revision).To(Equal("1.0.0"))
	g.Expect(byVersion.Status.Artifact.Digest).To(Equal(digest), "ChartVersion rebuilt an unchanged chart version")

	push(t, repo, chartRepo("1.1.0"))
	waitVersion(t, byVersion, "1.1.0")
}

// Equal inputs give equal digests: two HelmCharts of the same chart, and
// one rebuilt at a new generation.
func TestGitPackagingIsDeterministic(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	repo := gitSource(t, ns, chartRepo("2.0.0"))
	a := newChart(ns, sourcev1.GitRepositoryKind, repo.Name, "charts/app")
	b := newChart(ns, sourcev1.GitRepositoryKind, repo.Name, "charts/app")
	create(t, a)
	create(t, b)
	waitReady(t, a)
	waitReady(t, b)
	g.Expect(a.Status.Artifact.Digest).To(Equal(b.Status.Artifact.Digest))
	before := a.Status.Artifact.Digest

	update(t, a, func() { a.Spec.Interval = metav1.Duration{Duration: 2 * a.Spec.Interval.Duration} })
	waitReady(t, a)
	g.Expect(a.Status.Artifact.Digest).To(Equal(before))
	g.Expect(bytes.Equal(download(t, a.Status.Artifact), download(t, b.Status.Artifact))).To(BeTrue())
}

// ignoreMissingValuesFiles skips a missing file, and observedValuesFiles
// lists only the files merged.
func TestGitIgnoreMissingValuesFiles(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	repo := gitSource(t, ns, chartRepo("1.0.0"))
	obj := newChart(ns, sourcev1.GitRepositoryKind, repo.Name, "charts/app", func(c *sourcev1.HelmChart) {
		c.Spec.ValuesFiles = []string{"env/prod.yaml", "env/missing.yaml"}
		c.Spec.IgnoreMissingValuesFiles = true
	})
	create(t, obj)
	waitReady(t, obj)
	g.Expect(obj.Status.ObservedValuesFiles).To(Equal([]string{"env/prod.yaml"}))
	_, _, values, _ := loadArtifact(t, obj.Status.Artifact)
	g.Expect(values).NotTo(HaveKey("image.repo"))
	g.Expect(values["image"]).To(Equal(map[string]any{"tag": "v2"}), "values.yaml is not merged unless listed")
}

// A packaged chart (.tgz) in Git is served as it is when nothing changes
// it (pulled, as Flux says), and repackaged with values files.
func TestGitPackagedChart(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	tgz := helmserver.Package(t, helmserver.Chart{Name: "app", Version: "3.0.0"})
	repo := gitSource(t, ns, map[string]string{"dist/app-3.0.0.tgz": string(tgz), "prod.yaml": "greeting: hi\n"})
	pulled := newChart(ns, sourcev1.GitRepositoryKind, repo.Name, "dist/app-3.0.0.tgz")
	withValues := newChart(ns, sourcev1.GitRepositoryKind, repo.Name, "dist/app-3.0.0.tgz", func(c *sourcev1.HelmChart) {
		c.Spec.ValuesFiles = []string{"prod.yaml"}
	})
	create(t, pulled)
	create(t, withValues)
	waitReady(t, pulled)
	sum := sha256.Sum256(tgz)
	g.Expect(pulled.Status.Artifact.Digest).To(Equal("sha256:" + hex.EncodeToString(sum[:])))
	g.Expect(pulled.Status.Artifact.Path).To(HaveSuffix("/app-3.0.0.tgz"))
	g.Expect(conditions.GetReason(pulled, meta.ReadyCondition)).To(Equal(sourcev1.ChartPullSucceededReason))

	waitReady(t, withValues)
	_, version, values, _ := loadArtifact(t, withValues.Status.Artifact)
	g.Expect(version).To(Equal("3.0.0+1"))
	g.Expect(values).To(Equal(map[string]any{"greeting": "hi"}))
}
