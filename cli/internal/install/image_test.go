package install_test

import (
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/tidegitops/tide/cli/internal/install"
)

// Flux's two image components are one Tide component: either name, or
// both, choose it once; an unknown extra is refused.
func TestComponents_FluxImageNames(t *testing.T) {
	g := NewWithT(t)
	tests := []struct {
		components, extra []string
		want              []string
	}{
		{[]string{"source-controller"}, []string{"image-reflector-controller", "image-automation-controller"},
			[]string{"source-controller", "image-automation-controller"}},
		{[]string{"source-controller"}, []string{"image-reflector-controller"},
			[]string{"source-controller", "image-automation-controller"}},
		{[]string{"source-controller", "source-controller"}, nil, []string{"source-controller"}},
		{[]string{"image-automation-controller"}, nil, []string{"image-automation-controller"}},
	}
	for _, tt := range tests {
		got, err := install.Components(tt.components, tt.extra)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(got).To(Equal(tt.want), "%v + %v", tt.components, tt.extra)
	}
	_, err := install.Components([]string{"source-controller"}, []string{"source-watcher"})
	g.Expect(err).To(MatchError(ContainSubstring(`unknown component "source-watcher"`)))
}

// The image-automation-controller's install: its Deployment runs restricted
// (non-root, read-only root file system, no capabilities) with the tag store
// on an emptyDir at /data, as --storage-path says, beside its ServiceAccount,
// generated ClusterRole and binding, and NetworkPolicy.
func TestRender_ImageAutomationController(t *testing.T) {
	g := NewWithT(t)
	objs, err := install.Render([]string{"image-automation-controller"}, "flux-system")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ids(objs)).To(ContainElements(
		"CustomResourceDefinition/imagerepositories.image.toolkit.fluxcd.io",
		"CustomResourceDefinition/imagepolicies.image.toolkit.fluxcd.io",
		"CustomResourceDefinition/imageupdateautomations.image.toolkit.fluxcd.io",
		"Deployment/flux-system/image-automation-controller",
		"ServiceAccount/flux-system/image-automation-controller",
		"ClusterRole/tide-image-automation-controller",
		"ClusterRoleBinding/tide-image-automation-controller",
		"NetworkPolicy/flux-system/image-automation-controller",
	))
	var dep appsv1.Deployment
	for _, o := range objs {
		if o.GetKind() == "Deployment" {
			g.Expect(runtimeConvert(o, &dep)).To(Succeed())
		}
	}
	pod := dep.Spec.Template.Spec
	g.Expect(pod.SecurityContext.RunAsNonRoot).To(HaveValue(BeTrue()))
	g.Expect(pod.SecurityContext.SeccompProfile.Type).To(Equal(corev1.SeccompProfileTypeRuntimeDefault))
	c := pod.Containers[0]
	g.Expect(c.Image).To(Equal("ghcr.io/tidegitops/image-automation-controller:latest"))
	g.Expect(c.SecurityContext.ReadOnlyRootFilesystem).To(HaveValue(BeTrue()))
	g.Expect(c.SecurityContext.AllowPrivilegeEscalation).To(HaveValue(BeFalse()))
	g.Expect(c.SecurityContext.Capabilities.Drop).To(ConsistOf(corev1.Capability("ALL")))
	g.Expect(c.Args).To(ContainElement("--storage-path=/data"))
	g.Expect(c.VolumeMounts).To(ContainElement(HaveField("MountPath", "/data")))
	var data *corev1.Volume
	for i, v := range pod.Volumes {
		if v.Name == "data" {
			data = &pod.Volumes[i]
		}
	}
	g.Expect(data).NotTo(BeNil())
	g.Expect(data.EmptyDir).NotTo(BeNil(), "the tag store is on an emptyDir")
}
