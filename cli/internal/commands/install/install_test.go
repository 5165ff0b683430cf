package install_test

import (
	"bytes"
	"context"
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/cli/internal/commands/install"
	installer "github.com/tidegitops/tide/cli/internal/install"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

func run(namespace string, args ...string) (string, error) {
	cmd := install.New(kube.WithConfig(cp.Config, namespace))
	var buf bytes.Buffer
	cmd.SetOut(&buf)
	cmd.SetErr(&buf)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return buf.String(), err
}

func TestInstall_ExportPrintsYAMLAndTouchesNoCluster(t *testing.T) {
	g := NewWithT(t)
	printed, err := run("tide-export", "--export")
	g.Expect(err).NotTo(HaveOccurred())
	objs, err := installer.Decode([]byte(printed))
	g.Expect(err).NotTo(HaveOccurred())
	kinds := map[string]int{}
	var crds []string
	for _, o := range objs {
		kinds[o.GetKind()]++
		g.Expect(o.GetNamespace()).To(BeElementOf("", "tide-export"))
		if o.GetKind() == "CustomResourceDefinition" {
			crds = append(crds, o.GetName())
		}
	}
	g.Expect(crds).To(ContainElements("gitrepositories.source.toolkit.fluxcd.io", "helmrepositories.source.toolkit.fluxcd.io",
		"helmcharts.source.toolkit.fluxcd.io", "ocirepositories.source.toolkit.fluxcd.io", "kustomizations.kustomize.toolkit.fluxcd.io",
		"helmreleases.helm.toolkit.fluxcd.io"))
	g.Expect(kinds).To(HaveKeyWithValue("Deployment", 4))
	g.Expect(kinds).To(HaveKeyWithValue("Namespace", 1))

	err = cp.Client.Get(context.Background(), client.ObjectKey{Name: "tide-export"}, &corev1.Namespace{})
	g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "export creates nothing")
}

func TestInstall_OneComponentWithoutWaiting(t *testing.T) {
	g := NewWithT(t)
	printed, err := run("tide-install", "--components", "source-controller", "--wait=false")
	g.Expect(err).NotTo(HaveOccurred(), printed)
	g.Expect(printed).To(ContainSubstring("✔ install finished"))
	ctx := context.Background()
	g.Expect(cp.Client.Get(ctx, client.ObjectKey{Namespace: "tide-install", Name: "source-controller"}, &appsv1.Deployment{})).To(Succeed())
	err = cp.Client.Get(ctx, client.ObjectKey{Namespace: "tide-install", Name: "kustomize-controller"}, &appsv1.Deployment{})
	g.Expect(apierrors.IsNotFound(err)).To(BeTrue())

	printed, err = run("tide-install", "--components", "source-controller", "--timeout=1s")
	g.Expect(err).To(MatchError(ContainSubstring("timed out after 1s waiting for Deployment/tide-install/source-controller to be available")), printed)

	testkit.MarkDeploymentAvailable(t, cp.Client, "tide-install", "source-controller")
	printed, err = run("tide-install", "--components", "source-controller")
	g.Expect(err).NotTo(HaveOccurred(), printed)
	g.Expect(printed).To(ContainSubstring("✔ Deployment/tide-install/source-controller is available"))
}

func TestInstall_UnknownComponent(t *testing.T) {
	_, err := run("tide-install", "--components", "source-watcher", "--export")
	NewWithT(t).Expect(err).To(MatchError(ContainSubstring(`unknown component "source-watcher"`)))
}
