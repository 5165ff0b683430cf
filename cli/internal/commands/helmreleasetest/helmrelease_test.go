// Package helmreleasetest runs `tide create helmrelease` and the day-2
// commands against Tide's real source- and helm-controllers as processes.
package helmreleasetest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/commands/create"
	"github.com/tidegitops/tide/cli/internal/commands/get"
	"github.com/tidegitops/tide/cli/internal/commands/reconcile"
	"github.com/tidegitops/tide/cli/internal/commands/tree"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

var chartFiles = map[string]string{
	"charts/app/Chart.yaml":  "apiVersion: v2\nname: app\nversion: 1.2.0\n",
	"charts/app/values.yaml": "greeting: hello\ncolor: blue\n",
	"charts/app/templates/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n" +
		"data:\n  greeting: {{ .Values.greeting | quote }}\n  color: {{ .Values.color | quote }}\n",
}

func run(t *testing.T, ns string, newCmd func(*kube.Options) *cobra.Command, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newCmd(kube.WithConfig(cp.Config, ns))
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	err := cmd.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

// `tide create helmrelease` from a chart template installs the chart with
// the merged --values files; `tide get helmreleases` shows it Ready with
// its chart version, `tide tree` its objects, and `tide reconcile
// --with-source --force` goes through the HelmChart to a forced upgrade.
func TestCreateHelmReleaseInstallsChart(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	git := testkit.StartGitServer(t)
	git.NewRepo(t, "fleet").WriteFiles(chartFiles).Commit("chart")
	testkit.StartControllers(t, cp)
	testkit.StartController(t, cp, "helm-controller", "--graceful-shutdown-timeout=5s")
	ns := testkit.NewNamespace(t, cp.Client)
	g.Expect(cp.Client.Create(ctx, &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{Name: "fleet", Namespace: ns},
		Spec:       sourcev1.GitRepositorySpec{URL: git.HTTPURL("fleet"), Interval: metav1.Duration{Duration: time.Hour}},
	})).To(Succeed())
	dir := t.TempDir()
	base, over := filepath.Join(dir, "base.yaml"), filepath.Join(dir, "over.yaml")
	g.Expect(os.WriteFile(base, []byte("greeting: from base\ncolor: red\n"), 0o600)).To(Succeed())
	g.Expect(os.WriteFile(over, []byte("color: green\n"), 0o600)).To(Succeed())

	_, stderr, err := run(t, ns, create.New, "helmrelease", "app", "--source=GitRepository/fleet", "--chart=./charts/app",
		"--values="+base+","+over, "--interval=1h")
	g.Expect(err).NotTo(HaveOccurred(), stderr)
	g.Expect(stderr).To(HaveSuffix("✔ applied revision 1.2.0\n"))
	cm := &corev1.ConfigMap{}
	g.Expect(cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "app"}, cm)).To(Succeed())
	g.Expect(cm.Data).To(Equal(map[string]string{"greeting": "from base", "color": "green"}))

	out, _, err := run(t, ns, get.New, "helmreleases")
	g.Expect(err).NotTo(HaveOccurred())
	lines := strings.Split(strings.TrimSpace(out), "\n")
	g.Expect(lines).To(HaveLen(2))
	g.Expect(strings.Fields(lines[1])[:4]).To(Equal([]string{"app", "1.2.0", "false", "True"}))

	out, _, err = run(t, ns, tree.New, "helmrelease", "app")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(out).To(Equal("HelmRelease/" + ns + "/app\n└── ConfigMap/" + ns + "/app\n"))

	_, stderr, err = run(t, ns, reconcile.New, "helmrelease", "app", "--with-source", "--force")
	g.Expect(err).NotTo(HaveOccurred(), stderr)
	g.Expect(stderr).To(ContainSubstring("annotating GitRepository fleet"))
	g.Expect(stderr).To(ContainSubstring("annotating HelmChart " + ns + "-app"))
	g.Expect(stderr).To(HaveSuffix("✔ applied revision 1.2.0\n"))
	// --force upgraded although nothing changed: Helm's second release.
	g.Expect(cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "sh.helm.release.v1.app.v2"}, &corev1.Secret{})).To(Succeed())
}
