package install_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/cli/internal/install"
	"github.com/tidegitops/tide/cli/internal/output"
	"github.com/tidegitops/tide/manifests"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

func TestApply_CRDsEstablishedAndControllersWaitedFor(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	const ns = "tide-apply"
	objs, err := install.Render(manifests.Controllers, ns)
	g.Expect(err).NotTo(HaveOccurred())
	var buf bytes.Buffer
	out := output.New(&buf)

	g.Expect(install.Apply(ctx, cp.Client, objs, out)).To(Succeed())
	g.Expect(install.Apply(ctx, cp.Client, objs, out)).To(Succeed(), "applying again changes nothing and succeeds")

	for _, o := range objs {
		got := &unstructured.Unstructured{}
		got.SetGroupVersionKind(o.GroupVersionKind())
		g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(o), got)).To(Succeed(), o.GetName())
		g.Expect(got.GetManagedFields()).To(ContainElement(HaveField("Manager", install.FieldManager)), o.GetName())
		if o.GetKind() != "CustomResourceDefinition" {
			continue
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		g.Expect(runtimeConvert(got, crd)).To(Succeed())
		g.Expect(crd.Status.Conditions).To(ContainElement(And(
			HaveField("Type", apiextensionsv1.Established), HaveField("Status", apiextensionsv1.ConditionTrue))))
	}

	err = install.WaitReady(ctx, cp.Client, ns, manifests.Controllers, time.Second, out)
	g.Expect(err).To(MatchError(ContainSubstring("timed out after 1s waiting for Deployment/tide-apply/source-controller to be available")))

	for _, name := range manifests.Controllers {
		testkit.MarkDeploymentAvailable(t, cp.Client, ns, name)
	}
	buf.Reset()
	g.Expect(install.WaitReady(ctx, cp.Client, ns, manifests.Controllers, 10*time.Second, out)).To(Succeed())
	g.Expect(buf.String()).To(ContainSubstring("✔ Deployment/tide-apply/kustomize-controller is available"))

	d := &appsv1.Deployment{}
	g.Expect(cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "source-controller"}, d)).To(Succeed())
	g.Expect(d.Labels).To(HaveKeyWithValue("app.kubernetes.io/part-of", "tide"))
	// Each controller's Go runtime is told the container's memory limit.
	for _, name := range manifests.Controllers {
		g.Expect(cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, d)).To(Succeed())
		g.Expect(d.Spec.Template.Spec.Containers[0].Env).To(ContainElement(And(
			HaveField("Name", "GOMEMLIMIT"),
			HaveField("ValueFrom.ResourceFieldRef.Resource", "limits.memory"))), name)
	}
}
