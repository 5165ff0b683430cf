package install_test

import (
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tidegitops/tide/cli/internal/install"
	"github.com/tidegitops/tide/manifests"
)

// The install carries the notification-controller, its kinds and its two
// Services under Flux's names, and the other controllers send their events
// to it, as Flux's do.
func TestRender_NotificationController(t *testing.T) {
	g := NewWithT(t)
	objs, err := install.Render(manifests.AllControllers(), "flux-system")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ids(objs)).To(ContainElements(
		"CustomResourceDefinition/alerts.notification.toolkit.fluxcd.io",
		"CustomResourceDefinition/providers.notification.toolkit.fluxcd.io",
		"CustomResourceDefinition/receivers.notification.toolkit.fluxcd.io",
		"Deployment/flux-system/notification-controller",
		"Service/flux-system/notification-controller",
		"Service/flux-system/webhook-receiver",
		"ServiceAccount/flux-system/notification-controller",
		"ClusterRole/tide-notification-controller",
	))
	var checked []string
	for _, o := range objs {
		// Every controller but the notification-controller itself.
		if o.GetKind() != "Deployment" || o.GetName() == "notification-controller" {
			continue
		}
		containers, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
		args, _, _ := unstructured.NestedStringSlice(containers[0].(map[string]any), "args")
		g.Expect(args).To(ContainElement("--events-addr=http://notification-controller.$(RUNTIME_NAMESPACE).svc.cluster.local./"), o.GetName())
		checked = append(checked, o.GetName())
	}
	g.Expect(checked).To(ConsistOf("source-controller", "kustomize-controller", "helm-controller", "image-automation-controller"))
}
