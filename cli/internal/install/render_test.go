package install_test

import (
	"os"
	"slices"
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
		"Deployment/flux-system/helm-controller",
		"ServiceAccount/flux-system/helm-controller",
		"ClusterRole/tide-helm-controller",
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
	_, err := install.Render([]string{"image-reflector-controller"}, "flux-system")
	NewWithT(t).Expect(err).To(MatchError(ContainSubstring(`unknown component "image-reflector-controller"`)))
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

// The install carries the Helm and OCI source kinds: their CRDs, the
// source-controller's rights to reconcile them, and the kustomize-
// controller's to read the OCIRepositories it builds from.
func TestRender_HelmAndOCISources(t *testing.T) {
	g := NewWithT(t)
	objs, err := install.Render(manifests.Controllers, "flux-system")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ids(objs)).To(ContainElements(
		"CustomResourceDefinition/helmrepositories.source.toolkit.fluxcd.io",
		"CustomResourceDefinition/helmcharts.source.toolkit.fluxcd.io",
		"CustomResourceDefinition/ocirepositories.source.toolkit.fluxcd.io",
	))
	source := grants(objs, "tide-source-controller", "source.toolkit.fluxcd.io")
	for _, r := range []string{"helmrepositories", "helmcharts", "ocirepositories"} {
		g.Expect(source[r]).To(ContainElements("get", "list", "watch", "patch"), r)
		g.Expect(source[r+"/status"]).To(ContainElement("patch"), r)
		g.Expect(source[r+"/finalizers"]).To(ContainElement("update"), r)
	}
	kustomize := grants(objs, "tide-kustomize-controller", "source.toolkit.fluxcd.io")
	g.Expect(kustomize["ocirepositories"]).To(ContainElements("get", "list", "watch"))
}

// grants are the verbs the ClusterRole name allows on each resource of group.
func grants(objs []*unstructured.Unstructured, name, group string) map[string][]string {
	out := map[string][]string{}
	for _, o := range objs {
		if o.GetKind() != "ClusterRole" || o.GetName() != name {
			continue
		}
		rules, _, _ := unstructured.NestedSlice(o.Object, "rules")
		for _, r := range rules {
			rule, _ := r.(map[string]any)
			groups, _, _ := unstructured.NestedStringSlice(rule, "apiGroups")
			if !slices.Contains(groups, group) {
				continue
			}
			resources, _, _ := unstructured.NestedStringSlice(rule, "resources")
			verbs, _, _ := unstructured.NestedStringSlice(rule, "verbs")
			for _, res := range resources {
				out[res] = append(out[res], verbs...)
			}
		}
	}
	return out
}
