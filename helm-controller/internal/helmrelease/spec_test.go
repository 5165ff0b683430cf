package helmrelease

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// Fields Tide does not carry out yet are refused, never ignored.
func TestUnsupportedFieldsRefused(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.KubeConfig = &kustomizev1.KubeConfigReference{ConfigMapRef: &meta.LocalObjectReference{Name: "aks"}}
	hr.Spec.Rollback = &helmv2.Rollback{Recreate: true}
	create(t, hr)
	testkit.WaitForCondition(t, env.cp.Client, hr, meta.StalledCondition, metav1.ConditionTrue, unsupportedReason)
	g.Expect(conditionMessage(hr, meta.ReadyCondition)).To(SatisfyAll(
		ContainSubstring("spec.kubeConfig.configMapRef"), ContainSubstring("spec.rollback.recreate")))
	waitEvent(t, hr, "Warning "+unsupportedReason)
	g.Expect(configMapData(t, ns, "app")).To(BeNil())
}

// install.createNamespace creates the target namespace.
func TestCreateNamespace(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.cp.Client)
	target := ns + "-target"
	t.Cleanup(func() { _ = env.cp.Client.Delete(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: target}}) })
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.TargetNamespace = target
	hr.Spec.Install = &helmv2.Install{CreateNamespace: true}
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)
	g.Expect(env.cp.Client.Get(ctx, client.ObjectKey{Name: target}, &corev1.Namespace{})).To(Succeed())
	g.Expect(configMapData(t, target, target+"-app")).NotTo(BeNil())
}

// The chart's CRDs are created on install (install.crds Create, the
// default) and replaced on upgrade with upgrade.crds CreateReplace.
func TestCRDPolicies(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0", crds: map[string]string{"widget.yaml": widgetCRD("wd1")}})
	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.Upgrade = &helmv2.Upgrade{CRDs: helmv2.CreateReplace}
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)
	crd := &apiextensionsv1.CustomResourceDefinition{}
	key := client.ObjectKey{Name: "widgets.example.tide.dev"}
	t.Cleanup(func() {
		_ = env.cp.Client.Delete(ctx, &apiextensionsv1.CustomResourceDefinition{ObjectMeta: metav1.ObjectMeta{Name: key.Name}})
	})
	g.Expect(env.cp.Client.Get(ctx, key, crd)).To(Succeed())
	g.Expect(crd.Spec.Names.ShortNames).To(Equal([]string{"wd1"}))

	setChartArtifact(t, hc, testChart{name: "app", version: "1.1.0", crds: map[string]string{"widget.yaml": widgetCRD("wd2")}})
	g.Eventually(func() []string {
		_ = env.cp.Client.Get(ctx, key, crd)
		return crd.Spec.Names.ShortNames
	}, testkit.Timeout).Should(Equal([]string{"wd2"}))
	waitReady(t, hr, metav1.ConditionTrue, helmv2.UpgradeSucceededReason)
}
