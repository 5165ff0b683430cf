package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/helmserver"
)

// The Helm path, with the source-controller and the helm-controller as
// processes: a HelmRelease with a chart template makes the helm-controller
// create the HelmChart, the source-controller package the chart from the
// chart repository, and the helm-controller install it with the given
// values; a change of values upgrades the release.
func TestHelmReleaseFromHelmRepository(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	if err := helmv2.AddToScheme(cp.Scheme); err != nil {
		t.Fatal(err)
	}
	charts := helmserver.Start(t, helmserver.WithCharts(helmserver.Chart{Name: "greeter", Version: "1.0.0"}))
	testkit.StartControllers(t, cp)
	sink := startEventSink(t)
	testkit.StartController(t, cp, "helm-controller", "--graceful-shutdown-timeout=5s", "--events-addr="+sink.url)

	ns := testkit.NewNamespace(t, cp.Client)
	g.Expect(cp.Client.Create(ctx, &sourcev1.HelmRepository{
		ObjectMeta: metav1.ObjectMeta{Name: "charts", Namespace: ns},
		Spec:       sourcev1.HelmRepositorySpec{URL: charts.URL, Interval: metav1.Duration{Duration: time.Hour}},
	})).To(Succeed())
	hr := &helmv2.HelmRelease{
		ObjectMeta: metav1.ObjectMeta{Name: "greeter", Namespace: ns},
		Spec: helmv2.HelmReleaseSpec{
			Interval: metav1.Duration{Duration: time.Hour},
			Chart: &helmv2.HelmChartTemplate{Spec: helmv2.HelmChartTemplateSpec{
				Chart: "greeter", Version: "1.x",
				SourceRef: &helmv2.CrossNamespaceObjectReference{Kind: sourcev1.HelmRepositoryKind, Name: "charts"},
			}},
			Values: &apiextensionsv1.JSON{Raw: []byte(`{"greeting":"hi from v1"}`)},
		},
	}
	g.Expect(cp.Client.Create(ctx, hr)).To(Succeed())

	greeting := func() string {
		cm := &corev1.ConfigMap{}
		if err := cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "greeter"}, cm); err != nil {
			return "<absent>"
		}
		return cm.Data["greeting"]
	}
	ready := func() string {
		_ = cp.Client.Get(ctx, client.ObjectKeyFromObject(hr), hr)
		c := conditions.Get(hr, meta.ReadyCondition)
		if c == nil || hr.Status.ObservedGeneration != hr.Generation {
			return ""
		}
		return string(c.Status) + " " + c.Reason + " " + c.Message
	}
	const wait = time.Minute
	g.Eventually(ready, wait).Should(HavePrefix("True InstallSucceeded Helm install succeeded for release " + ns + "/greeter.v1 with chart greeter@1.0.0"))
	g.Expect(greeting()).To(Equal("hi from v1"))
	chart := &sourcev1.HelmChart{}
	g.Expect(cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: ns + "-greeter"}, chart)).To(Succeed(),
		"the helm-controller creates the HelmChart <namespace>-<name> in the source's namespace")
	g.Expect(hr.Status.History).To(HaveLen(1))

	g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(hr), hr)).To(Succeed())
	hr.Spec.Values = &apiextensionsv1.JSON{Raw: []byte(`{"greeting":"hi from v2"}`)}
	g.Expect(cp.Client.Update(ctx, hr)).To(Succeed())
	g.Eventually(ready, wait).Should(HavePrefix("True UpgradeSucceeded Helm upgrade succeeded for release " + ns + "/greeter.v2 with chart greeter@1.0.0"))
	g.Expect(greeting()).To(Equal("hi from v2"))
	g.Expect(hr.Status.History).To(HaveLen(2))
	g.Expect(hr.Status.History[0].Version).To(Equal(2))
	g.Expect(hr.Status.History[0].Status).To(Equal("deployed"))
	g.Expect(hr.Status.History[1].Version).To(Equal(1))

	// Both actions reached --events-addr in Flux's event JSON, with Flux's
	// metadata: the chart version as revision, the values digest as token.
	g.Eventually(sink.of("HelmRelease"), wait).Should(ContainElements(
		And(HaveField("Reason", "InstallSucceeded"), HaveField("Severity", "info"),
			HaveField("ReportingController", "helm-controller"), HaveField("InvolvedObject.Namespace", ns),
			HaveField("Metadata", And(HaveKeyWithValue("helm.toolkit.fluxcd.io/revision", "1.0.0"),
				HaveKeyWithValue("helm.toolkit.fluxcd.io/token", HavePrefix("sha256:"))))),
		And(HaveField("Reason", "UpgradeSucceeded"), HaveField("Message", ContainSubstring("greeter.v2")),
			HaveField("Metadata", HaveKeyWithValue("helm.toolkit.fluxcd.io/revision", "1.0.0")))))
}
