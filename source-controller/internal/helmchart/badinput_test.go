package helmchart

import (
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// Every bad input a user can cause on a Git chart ends in Ready=False with
// Flux's reason, a message saying what to do and an event, while the last
// good artifact stays recorded and served.
func TestGitBadInput(t *testing.T) {
	tests := []struct {
		name    string
		breakIt func(t *testing.T, repo *sourcev1.GitRepository, obj *sourcev1.HelmChart)
		reason  string
		stalled bool
		message []string
	}{
		{
			name: "chart path missing",
			breakIt: func(t *testing.T, _ *sourcev1.GitRepository, obj *sourcev1.HelmChart) {
				update(t, obj, func() { obj.Spec.Chart = "charts/nope" })
			},
			reason: sourcev1.InvalidChartReferenceReason, stalled: true,
			message: []string{"no chart at path 'charts/nope'", "fix spec.chart"},
		},
		{
			name: "chart removed from the repository",
			breakIt: func(t *testing.T, repo *sourcev1.GitRepository, _ *sourcev1.HelmChart) {
				push(t, repo, map[string]string{"README.md": "moved\n"})
			},
			reason: sourcev1.InvalidChartReferenceReason, stalled: true,
			message: []string{"no chart at path 'charts/app'", "push the chart to GitRepository"},
		},
		{
			name: "values file missing",
			breakIt: func(t *testing.T, _ *sourcev1.GitRepository, obj *sourcev1.HelmChart) {
				update(t, obj, func() { obj.Spec.ValuesFiles = []string{"env/prod.yaml", "env/staging.yaml"} })
			},
			reason: sourcev1.ValuesFilesErrorReason, stalled: true,
			message: []string{"'env/staging.yaml'", "set spec.ignoreMissingValuesFiles"},
		},
		{
			name: "values file not YAML",
			breakIt: func(t *testing.T, repo *sourcev1.GitRepository, obj *sourcev1.HelmChart) {
				files := chartRepo("1.0.0")
				files["env/prod.yaml"] = "image: [unclosed\n"
				push(t, repo, files)
				update(t, obj, func() { obj.Spec.ValuesFiles = []string{"env/prod.yaml"} })
			},
			reason: sourcev1.ValuesFilesErrorReason, stalled: true,
			message: []string{"'env/prod.yaml' is not valid YAML"},
		},
		{
			name: "packaged chart corrupt",
			breakIt: func(t *testing.T, repo *sourcev1.GitRepository, obj *sourcev1.HelmChart) {
				push(t, repo, map[string]string{"dist/app-1.0.0.tgz": "\x1f\x8bnot really"})
				update(t, obj, func() { obj.Spec.Chart = "dist/app-1.0.0.tgz" })
			},
			reason:  sourcev1.ChartPackageErrorReason,
			message: []string{"dist/app-1.0.0.tgz", "not a valid chart archive"},
		},
		{
			name: "file over the size cap",
			breakIt: func(t *testing.T, repo *sourcev1.GitRepository, _ *sourcev1.HelmChart) {
				files := chartRepo("1.0.1")
				files["charts/app/files/blob.bin"] = strings.Repeat("x", int(testLimits.FileSize)+1)
				push(t, repo, files)
			},
			reason:  sourcev1.ChartPackageErrorReason,
			message: []string{"'files/blob.bin'", "--helm-chart-file-max-size"},
		},
		{
			name: "local dependency out of range",
			breakIt: func(t *testing.T, repo *sourcev1.GitRepository, _ *sourcev1.HelmChart) {
				files := chartRepo("1.0.1")
				files["charts/lib/Chart.yaml"] = "apiVersion: v2\nname: lib\nversion: 0.3.0\ntype: library\n"
				push(t, repo, files)
			},
			reason:  sourcev1.DependencyBuildErrorReason,
			message: []string{"dependency 'lib'", "'0.3.0' does not satisfy '^0.2.0'", "fix its version"},
		},
		{
			name: "source deleted",
			breakIt: func(t *testing.T, _ *sourcev1.GitRepository, obj *sourcev1.HelmChart) {
				update(t, obj, func() { obj.Spec.SourceRef.Name = "gone" })
			},
			reason:  sourceUnavailableReason,
			message: []string{"GitRepository 'gone' does not exist"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			ns := testkit.NewNamespace(t, env.CP.Client)
			repo := gitSource(t, ns, chartRepo("1.0.0"))
			obj := newChart(ns, sourcev1.GitRepositoryKind, repo.Name, "charts/app")
			create(t, obj)
			waitReady(t, obj)
			good := obj.Status.Artifact.DeepCopy()

			tt.breakIt(t, repo, obj)
			ready := waitNotReady(t, obj, tt.reason)
			for _, m := range tt.message {
				g.Expect(ready.Message).To(ContainSubstring(m))
			}
			g.Expect(conditions.IsTrue(obj, meta.StalledCondition)).To(Equal(tt.stalled), "Stalled")
			g.Expect(obj.Status.Artifact).NotTo(BeNil())
			g.Expect(obj.Status.Artifact.Digest).To(Equal(good.Digest), "the last artifact was replaced")
			download(t, obj.Status.Artifact)
			waitEventReason(t, obj, tt.reason)
		})
	}
}

// spec.verify is refused, never ignored: the chart is not served as if
// its signature had been checked.
func TestVerifyRefused(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	obj := newChart(ns, sourcev1.HelmRepositoryKind, "charts", "app", func(c *sourcev1.HelmChart) {
		c.Spec.Verify = &sourcev1.HelmChartVerification{Provider: "cosign"}
	})
	create(t, obj)
	ready := waitNotReady(t, obj, verificationUnsupportedReason)
	g.Expect(ready.Message).To(ContainSubstring("cosign"))
	g.Expect(ready.Message).To(ContainSubstring("remove spec.verify"))
	g.Expect(conditions.IsTrue(obj, meta.StalledCondition)).To(BeTrue())
	g.Expect(conditions.IsFalse(obj, sourcev1.SourceVerifiedCondition)).To(BeTrue())
	g.Expect(obj.Status.Artifact).To(BeNil())
	waitEventReason(t, obj, verificationUnsupportedReason)
}

// A Bucket source is refused, not ignored: Tide has no Bucket kind yet.
func TestBucketSourceRefused(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	obj := newChart(ns, "Bucket", "charts", "charts/app")
	create(t, obj)
	ready := waitNotReady(t, obj, "UnsupportedSourceKind")
	g.Expect(ready.Message).To(ContainSubstring("no Bucket source"))
	g.Expect(conditions.IsTrue(obj, meta.StalledCondition)).To(BeTrue())
	g.Expect(conditions.IsTrue(obj, sourcev1.FetchFailedCondition)).To(BeTrue())
	waitEventReason(t, obj, "UnsupportedSourceKind")
}
