package helmrender_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

// chartFiles is a chart in a Git repository: a ConfigMap of values and a
// Secret, so that a diff has something to mask.
var chartFiles = map[string]string{
	"charts/app/Chart.yaml":  "apiVersion: v2\nname: app\nversion: 1.0.0\nappVersion: 1.0.0\n",
	"charts/app/values.yaml": "greeting: hello\ncolor: blue\npassword: chart-default\nwithSecret: true\n",
	"charts/app/templates/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n" +
		"  labels:\n    chart: {{ .Chart.Name }}-{{ .Chart.Version }}\n" +
		"data:\n  greeting: {{ .Values.greeting | quote }}\n  color: {{ .Values.color | quote }}\n",
	"charts/app/templates/secret.yaml": "{{- if .Values.withSecret }}\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-creds\n" +
		"stringData:\n  password: {{ .Values.password | quote }}\n  user: admin\n{{- end }}\n",
}

// fleet is a HelmRelease "app" of the Git chart, installed by Tide's
// source- and helm-controllers running as processes, with values from
// spec.values, a ConfigMap (valuesFrom) and a Secret (valuesFrom with a
// targetPath), and a kustomize post-renderer that annotates the ConfigMap.
type fleet struct {
	t  *testing.T
	ns string
	hr *helmv2.HelmRelease
}

func newFleet(t *testing.T) *fleet {
	t.Helper()
	g := NewWithT(t)
	ctx := context.Background()
	git := testkit.StartGitServer(t)
	repo := git.NewRepo(t, "fleet")
	repo.WriteFiles(chartFiles).Commit("chart")
	testkit.StartControllers(t, cp)
	testkit.StartController(t, cp, "helm-controller", "--graceful-shutdown-timeout=5s")

	f := &fleet{t: t, ns: testkit.NewNamespace(t, cp.Client)}
	g.Expect(cp.Client.Create(ctx, &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{Name: "fleet", Namespace: f.ns},
		Spec:       sourcev1.GitRepositorySpec{URL: git.HTTPURL("fleet"), Interval: metav1.Duration{Duration: time.Hour}},
	})).To(Succeed())
	g.Expect(cp.Client.Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "app-values", Namespace: f.ns},
		Data:       map[string]string{"values.yaml": "greeting: from the configmap\ncolor: green\n"},
	})).To(Succeed())
	g.Expect(cp.Client.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "app-password", Namespace: f.ns},
		StringData: map[string]string{"password": "hunter2"},
	})).To(Succeed())
	f.hr = &helmv2.HelmRelease{
		ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: f.ns},
		Spec: helmv2.HelmReleaseSpec{
			Interval: metav1.Duration{Duration: time.Hour},
			Chart: &helmv2.HelmChartTemplate{Spec: helmv2.HelmChartTemplateSpec{
				Chart:     "./charts/app",
				SourceRef: &helmv2.CrossNamespaceObjectReference{Kind: sourcev1.GitRepositoryKind, Name: "fleet"},
			}},
			ValuesFrom: []meta.ValuesReference{
				{Kind: "ConfigMap", Name: "app-values"},
				{Kind: "Secret", Name: "app-password", ValuesKey: "password", TargetPath: "password"},
			},
			Values: &apiextensionsv1.JSON{Raw: []byte(`{"color":"red"}`)},
			PostRenderers: []helmv2.PostRenderer{{Kustomize: &helmv2.Kustomize{Patches: []kustomizev1.Patch{{
				Target: &kustomizev1.Selector{Kind: "ConfigMap"},
				Patch:  "- op: add\n  path: /metadata/annotations\n  value: {patched-by: post-renderer}\n",
			}}}}},
		},
	}
	g.Expect(cp.Client.Create(ctx, f.hr)).To(Succeed())
	g.Eventually(func() string {
		_ = cp.Client.Get(ctx, client.ObjectKeyFromObject(f.hr), f.hr)
		c := conditions.Get(f.hr, meta.ReadyCondition)
		if c == nil || f.hr.Status.ObservedGeneration != f.hr.Generation {
			return ""
		}
		return string(c.Status) + " " + c.Reason + " " + c.Message
	}, 2*time.Minute).Should(HavePrefix("True InstallSucceeded"))
	return f
}

// installedManifest is the manifest of release version of "app" that the
// helm-controller stored (Helm's Secret driver: base64 of gzipped JSON).
func (f *fleet) installedManifest(version string) string {
	f.t.Helper()
	s := &corev1.Secret{}
	if err := cp.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: "sh.helm.release.v1.app.v" + version}, s); err != nil {
		f.t.Fatal(err)
	}
	gz, err := base64.StdEncoding.DecodeString(string(s.Data["release"]))
	if err != nil {
		f.t.Fatal(err)
	}
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		f.t.Fatal(err)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		f.t.Fatal(err)
	}
	var rel struct {
		Manifest string `json:"manifest"`
	}
	if err := json.Unmarshal(data, &rel); err != nil {
		f.t.Fatal(err)
	}
	return rel.Manifest
}

// writeValues writes a --values file and returns its path.
func (f *fleet) writeValues(content string) string {
	f.t.Helper()
	path := filepath.Join(f.t.TempDir(), "values.yaml")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
	return path
}

// run runs a tide command built by newCmd in the fleet's namespace.
func (f *fleet) run(newCmd func(*kube.Options) *cobra.Command, args ...string) (string, error) {
	var out bytes.Buffer
	cmd := newCmd(kube.WithConfig(cp.Config, f.ns))
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := cmd.ExecuteContext(ctx)
	return out.String(), err
}
