package helmrelease

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/testkit"
)

// clusterRoleTemplate is a cluster-wide object of the release, with ':' in
// its name as RBAC names may have.
const clusterRoleTemplate = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ .Release.Namespace }}:{{ .Release.Name }}:reader
rules: []
`

// status.inventory lists the release's objects in Flux's format: the
// manifest's objects, namespaced ones with the release namespace, then
// the chart's CRDs, without hooks; and after an upgrade the release it
// replaced is recorded superseded in status.history, as Flux does.
func TestInventoryAndHistory(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	c := gadgetChart("1.0.0")
	c.templates["configmap.yaml"] = configMapTemplate
	c.templates["clusterrole.yaml"] = clusterRoleTemplate
	c.extra = map[string]string{"test.yaml": passingTest}
	hc := newHelmChart(t, ns, "gadget", c)
	hr := newRelease(ns, "app", hc.Name)
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)

	g.Expect(hr.Status.Inventory).NotTo(BeNil())
	g.Expect(hr.Status.Inventory.Entries).To(ConsistOf(
		helmv2.ResourceRef{ID: ns + "_app__ConfigMap", Version: "v1"},
		helmv2.ResourceRef{ID: ns + "_app_example.tide.dev_Gadget", Version: "v1"},
		helmv2.ResourceRef{ID: "_" + ns + "__app__reader_rbac.authorization.k8s.io_ClusterRole", Version: "v1"},
		helmv2.ResourceRef{ID: "_gadgets.example.tide.dev_apiextensions.k8s.io_CustomResourceDefinition", Version: "v1"},
	))
	entries := hr.Status.Inventory.Entries
	g.Expect(entries[len(entries)-1].ID).To(HaveSuffix("_CustomResourceDefinition"), "the chart's CRDs come last")
	g.Expect(hr.Status.History.Latest().Status).To(Equal("deployed"))

	// An upgrade: the new release is deployed, the old one superseded, and
	// the inventory follows the new manifest.
	c = gadgetChart("1.1.0")
	c.templates["configmap.yaml"] = configMapTemplate
	setChartArtifact(t, hc, c)
	g.Eventually(func() int {
		_ = env.cp.Client.Get(context.Background(), client.ObjectKeyFromObject(hr), hr)
		return len(hr.Status.History)
	}, testkit.Timeout).Should(Equal(2))
	waitReady(t, hr, metav1.ConditionTrue, helmv2.UpgradeSucceededReason)
	g.Expect(hr.Status.History[0].Version).To(Equal(2))
	g.Expect(hr.Status.History[0].Status).To(Equal("deployed"))
	g.Expect(hr.Status.History[1].Version).To(Equal(1))
	g.Expect(hr.Status.History[1].Status).To(Equal("superseded"))
	g.Expect(hr.Status.Inventory.Entries).To(ConsistOf(
		helmv2.ResourceRef{ID: ns + "_app__ConfigMap", Version: "v1"},
		helmv2.ResourceRef{ID: ns + "_app_example.tide.dev_Gadget", Version: "v1"},
		helmv2.ResourceRef{ID: "_gadgets.example.tide.dev_apiextensions.k8s.io_CustomResourceDefinition", Version: "v1"},
	))
}
