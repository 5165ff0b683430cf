package install_test

import (
	"os"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tidegitops/tide/cli/internal/install"
	"github.com/tidegitops/tide/manifests"
	"github.com/tidegitops/tide/testkit"
)

func ids(objs []*unstructured.Unstructured) []string {
	var out []string
	for _, o := range objs {
		id := o.GetKind() + "/" + o.GetName()
		if o.GetNamespace() != "" {
			id = o.GetKind() + "/" + o.GetNamespace() + "/" + o.GetName()
		}
		out = append(out, id)
	}
	return out
}

func TestRender_EveryCRDAndBothControllers(t *testing.T) {
	g := NewWithT(t)
	objs, err := install.Render(manifests.Controllers, "flux-system")
	g.Expect(err).NotTo(HaveOccurred())

	files, err := os.ReadDir(testkit.CRDDir())
	g.Expect(err).NotTo(HaveOccurred())
	for _, f := range files {
		name := strings.SplitN(f.Name(), "_", 2)
		crd := strings.TrimSuffix(name[1], ".yaml") + "." + name[0]
		g.Expect(ids(objs)).To(ContainElement("CustomResourceDefinition/"+crd), f.Name())
	}
	g.Expect(ids(objs)).To(ContainElements(
		"Namespace/flux-system",
		"Deployment/flux-system/source-controller",
		"Service/flux-system/source-controller",
		"ServiceAccount/flux-system/source-controller",
		"Deployment/flux-system/kustomize-controller",
		"ServiceAccount/flux-system/kustomize-controller",
	))
	g.Expect(objs[0].GetKind()).To(Equal("CustomResourceDefinition"), "CRDs come first")
}

func TestRender_ReplacesTheNamespace(t *testing.T) {
	g := NewWithT(t)
	objs, err := install.Render([]string{"kustomize-controller"}, "tide")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ids(objs)).To(ContainElements("Namespace/tide", "Deployment/tide/kustomize-controller"))
	g.Expect(ids(objs)).NotTo(ContainElement(ContainSubstring("source-controller")), "each controller stands alone")
	for _, o := range objs {
		g.Expect(o.GetNamespace()).To(BeElementOf("", "tide"), o.GetName())
		if o.GetKind() != "ClusterRoleBinding" {
			continue
		}
		subjects, _, _ := unstructured.NestedSlice(o.Object, "subjects")
		for _, s := range subjects {
			g.Expect(s).To(HaveKeyWithValue("namespace", "tide"), o.GetName())
		}
	}
}

func TestRender_UnknownComponent(t *testing.T) {
	_, err := install.Render([]string{"helm-controller"}, "flux-system")
	NewWithT(t).Expect(err).To(MatchError(ContainSubstring(`unknown component "helm-controller"`)))
}

func TestEncodeDecode_RoundTrip(t *testing.T) {
	g := NewWithT(t)
	objs, err := install.Render(manifests.Controllers, "flux-system")
	g.Expect(err).NotTo(HaveOccurred())
	data, err := install.Encode(objs)
	g.Expect(err).NotTo(HaveOccurred())
	again, err := install.Decode(data)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(again).To(Equal(objs))
}
