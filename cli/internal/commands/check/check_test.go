package check_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	. "github.com/onsi/gomega"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tidegitops/tide/cli/internal/commands/check"
	installer "github.com/tidegitops/tide/cli/internal/install"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/output"
	"github.com/tidegitops/tide/manifests"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

func run(args ...string) (string, error) {
	cmd := check.New(kube.WithConfig(cp.Config, "tide-check"))
	var buf bytes.Buffer
	cmd.SetOut(&buf)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return buf.String(), err
}

func TestCheck(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()

	printed, err := run("--pre")
	g.Expect(err).NotTo(HaveOccurred(), printed)
	g.Expect(printed).To(MatchRegexp(`^✔ Kubernetes v1\.\d+\.\d+\S* at \S+\n$`))

	// One check for the apiserver, one per CRD, one per controller.
	crds, err := installer.CRDs()
	g.Expect(err).NotTo(HaveOccurred())
	checks := 1 + len(crds) + len(manifests.Controllers)
	printed, err = run()
	g.Expect(err).To(MatchError(fmt.Sprintf("%d of %d checks failed", len(manifests.Controllers), checks)), "nothing installed yet")
	g.Expect(printed).To(ContainSubstring("✗ Deployment/tide-check/source-controller not found"))

	objs, err := installer.Render(manifests.Controllers, "tide-check")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(installer.Apply(ctx, cp.Client, objs, output.New(&bytes.Buffer{}))).To(Succeed())
	for _, name := range manifests.Controllers {
		testkit.MarkDeploymentAvailable(t, cp.Client, "tide-check", name)
	}
	printed, err = run()
	g.Expect(err).NotTo(HaveOccurred(), printed)
	g.Expect(printed).To(And(
		ContainSubstring("✔ CustomResourceDefinition/gitrepositories.source.toolkit.fluxcd.io is established"),
		ContainSubstring("✔ CustomResourceDefinition/kustomizations.kustomize.toolkit.fluxcd.io is established"),
		ContainSubstring("✔ CustomResourceDefinition/ocirepositories.source.toolkit.fluxcd.io is established"),
		ContainSubstring("✔ Deployment/tide-check/kustomize-controller is available"),
		ContainSubstring("✔ all checks passed")))

	crd := &unstructured.Unstructured{}
	crd.SetGroupVersionKind(apiextensionsv1.SchemeGroupVersion.WithKind("CustomResourceDefinition"))
	crd.SetName("kustomizations.kustomize.toolkit.fluxcd.io")
	g.Expect(cp.Client.Delete(ctx, crd)).To(Succeed())
	testkit.WaitForDeletion(t, cp.Client, crd)
	printed, err = run()
	g.Expect(err).To(MatchError(fmt.Sprintf("1 of %d checks failed", checks)))
	g.Expect(printed).To(ContainSubstring("✗ CustomResourceDefinition/kustomizations.kustomize.toolkit.fluxcd.io not found"))
}
