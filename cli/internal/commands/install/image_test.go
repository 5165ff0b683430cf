package install_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	installer "github.com/tidegitops/tide/cli/internal/install"
)

// A Flux user's `--components-extra=image-reflector-controller,image-automation-controller`
// installs Tide's one image controller, once, beside the default components.
func TestInstall_ComponentsExtraFluxImageNames(t *testing.T) {
	g := NewWithT(t)
	printed, err := run("tide-image-export", "--export",
		"--components-extra", "image-reflector-controller,image-automation-controller")
	g.Expect(err).NotTo(HaveOccurred(), printed)
	objs, err := installer.Decode([]byte(printed))
	g.Expect(err).NotTo(HaveOccurred())
	deployments := map[string]int{}
	for _, o := range objs {
		if o.GetKind() == "Deployment" {
			deployments[o.GetName()]++
		}
	}
	g.Expect(deployments).To(Equal(map[string]int{"source-controller": 1, "kustomize-controller": 1,
		"helm-controller": 1, "notification-controller": 1, "image-automation-controller": 1}))
}

// Without --components-extra the image controller is not installed, as
// Flux installs its image controllers only when asked; with it, its
// Deployment is applied and waited for like the others.
func TestInstall_ImageAutomationController(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	printed, err := run("tide-image", "--components", "source-controller", "--components-extra", "image-automation-controller", "--wait=false")
	g.Expect(err).NotTo(HaveOccurred(), printed)
	dep := &appsv1.Deployment{}
	g.Expect(cp.Client.Get(ctx, client.ObjectKey{Namespace: "tide-image", Name: "image-automation-controller"}, dep)).To(Succeed())
	g.Expect(dep.Spec.Template.Spec.ServiceAccountName).To(Equal("image-automation-controller"))

	printed, err = run("tide-image", "--components=", "--components-extra", "image-reflector-controller", "--timeout=1s")
	g.Expect(err).To(MatchError(ContainSubstring("timed out after 1s waiting for Deployment/tide-image/image-automation-controller to be available")), printed)

	printed, err = run("tide-image-default", "--export")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(printed).NotTo(ContainSubstring("name: image-automation-controller"), "not a default component")
}
