package helmrelease

import (
	"context"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// freeTemplate is a ConfigMap of the release that opts out of drift
// detection, as a chart or post-renderer marks one.
const freeTemplate = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-free
  annotations:
    helm.toolkit.fluxcd.io/driftDetection: disabled
data:
  owner: chart
`

// installDrifting installs a release of the default chart (plus an
// opted-out ConfigMap) with spec.driftDetection dd, Ready.
func installDrifting(t *testing.T, dd *helmv2.DriftDetection) (string, *helmv2.HelmRelease) {
	t.Helper()
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0", values: "greeting: hello\n",
		extra: map[string]string{"free.yaml": freeTemplate}})
	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.DriftDetection = dd
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)
	return ns, hr
}

// editConfigMap changes data keys of a ConfigMap by hand, as kubectl edit.
func editConfigMap(t *testing.T, ns, name string, data map[string]string) {
	t.Helper()
	ctx := context.Background()
	NewWithT(t).Eventually(func() error {
		cm := &corev1.ConfigMap{}
		if err := env.cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, cm); err != nil {
			return err
		}
		for k, v := range data {
			cm.Data[k] = v
		}
		return env.cp.Client.Update(ctx, cm, client.FieldOwner("kubectl-edit"))
	}, testkit.Timeout).Should(Succeed())
}

func hasEvent(t *testing.T, obj client.Object, part string) bool {
	events, _ := eventsOf(t, obj)
	for _, e := range events {
		if strings.Contains(e, part) {
			return true
		}
	}
	return false
}

// With driftDetection enabled, a hand edit of a release's object is put
// back without a Helm upgrade, and a deleted object is created again;
// each is a DriftDetected then a DriftCorrected event, as in Flux. A field
// an ignore rule names, and an object that opts out, are left as edited.
func TestDriftCorrected(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns, hr := installDrifting(t, &helmv2.DriftDetection{
		Mode: helmv2.DriftDetectionEnabled,
		Ignore: []helmv2.IgnoreRule{{Paths: []string{"/data/greeting"},
			Target: &kustomizev1.Selector{Kind: "ConfigMap", Name: "app"}}},
	})

	editConfigMap(t, ns, "app", map[string]string{"greeting": "edited", "version": "9.9.9"})
	editConfigMap(t, ns, "app-free", map[string]string{"owner": "someone"})
	requestReconcile(t, hr)
	waitEvent(t, hr, "Warning "+driftDetectedReason, "ConfigMap/"+ns+"/app changed (0 additions, 1 changes, 0 removals)",
		"ConfigMap/"+ns+"/app-free excluded")
	waitEvent(t, hr, "Normal "+driftCorrectedReason, "ConfigMap/"+ns+"/app configured")
	g.Expect(configMapData(t, ns, "app")).To(And(HaveKeyWithValue("version", "1.0.0"), HaveKeyWithValue("greeting", "edited")),
		"the drifted field is put back, the ignored one left as edited")
	g.Expect(configMapData(t, ns, "app-free")).To(HaveKeyWithValue("owner", "someone"), "an opted-out object is left alone")
	g.Expect(env.cp.Client.Get(ctx, client.ObjectKeyFromObject(hr), hr)).To(Succeed())
	g.Expect(hr.Status.History.Latest().Version).To(Equal(1), "no Helm upgrade")
	g.Expect(conditionReason(hr, meta.ReadyCondition)).To(Equal(helmv2.InstallSucceededReason))

	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "app"}}
	g.Expect(env.cp.Client.Delete(ctx, svc)).To(Succeed())
	requestReconcile(t, hr)
	waitEvent(t, hr, "Warning "+driftDetectedReason, "Service/"+ns+"/app removed")
	waitEvent(t, hr, "Normal "+driftCorrectedReason, "Service/"+ns+"/app created")
	g.Expect(env.cp.Client.Get(ctx, client.ObjectKeyFromObject(svc), svc)).To(Succeed(), "the deleted Service is back")
	g.Expect(env.cp.Client.Get(ctx, client.ObjectKeyFromObject(hr), hr)).To(Succeed())
	g.Expect(hr.Status.History.Latest().Version).To(Equal(1), "no Helm upgrade")
}

// With driftDetection warn, drift is a DriftDetected event and nothing
// changes: the edit stays, the release stays Ready.
func TestDriftWarnOnly(t *testing.T) {
	g := NewWithT(t)
	ns, hr := installDrifting(t, &helmv2.DriftDetection{Mode: helmv2.DriftDetectionWarn})

	editConfigMap(t, ns, "app", map[string]string{"greeting": "edited"})
	requestReconcile(t, hr)
	waitEvent(t, hr, "Warning "+driftDetectedReason, "Cluster state of release "+ns+"/app.v1 has drifted from the desired state",
		"ConfigMap/"+ns+"/app changed")
	g.Expect(configMapData(t, ns, "app")).To(HaveKeyWithValue("greeting", "edited"))
	g.Expect(hasEvent(t, hr, driftCorrectedReason)).To(BeFalse())
	g.Expect(conditionReason(hr, meta.ReadyCondition)).To(Equal(helmv2.InstallSucceededReason))
}

// Without drift detection (the default), an edit is not even reported.
func TestDriftDisabledByDefault(t *testing.T) {
	g := NewWithT(t)
	ns, hr := installDrifting(t, nil)
	editConfigMap(t, ns, "app", map[string]string{"greeting": "edited"})
	requestReconcile(t, hr)
	g.Expect(hasEvent(t, hr, driftDetectedReason)).To(BeFalse())
	g.Expect(configMapData(t, ns, "app")).To(HaveKeyWithValue("greeting", "edited"))
}

// An ignore rule whose target does not compile stalls the HelmRelease,
// naming the rule, rather than being skipped.
func TestDriftIgnoreRuleRefused(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.DriftDetection = &helmv2.DriftDetection{Mode: helmv2.DriftDetectionEnabled,
		Ignore: []helmv2.IgnoreRule{{Paths: []string{"/data"}, Target: &kustomizev1.Selector{Name: "app("}}}}
	create(t, hr)
	testkit.WaitForCondition(t, env.cp.Client, hr, meta.StalledCondition, metav1.ConditionTrue, invalidSpecReason)
	g.Expect(conditionMessage(hr, meta.ReadyCondition)).To(And(
		ContainSubstring("spec.driftDetection.ignore[0].target"), ContainSubstring("fix it")))
}

// A correction the apiserver refuses (here a deleted object's namespace is
// being deleted) is a DriftCorrectionFailed event and Ready=False with the
// refusal, and it is tried again.
func TestDriftCorrectionFailed(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.cp.Client)
	other := ns + "-other"
	create(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: other}})
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0", values: "greeting: hello\nother: " + other + "\n",
		extra: map[string]string{"elsewhere.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: elsewhere\n  namespace: {{ .Values.other }}\n"}})
	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.DriftDetection = &helmv2.DriftDetection{Mode: helmv2.DriftDetectionEnabled}
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)

	// No namespace controller runs in the test: the namespace stays
	// terminating, and refuses new objects.
	g.Expect(env.cp.Client.Delete(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: other, Name: "elsewhere"}})).To(Succeed())
	g.Expect(env.cp.Client.Delete(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: other}})).To(Succeed())
	update(t, hr, func(hr *helmv2.HelmRelease) {
		if hr.Annotations == nil {
			hr.Annotations = map[string]string{}
		}
		hr.Annotations[meta.ReconcileRequestAnnotation] = "correct-now"
	})
	waitReady(t, hr, metav1.ConditionFalse, driftCorrectionFailedReason)
	g.Expect(conditionMessage(hr, meta.ReadyCondition)).To(And(
		ContainSubstring("Failed to correct cluster state of release "+ns+"/app.v1"),
		ContainSubstring("ConfigMap/"+other+"/elsewhere creation failure")))
	waitEvent(t, hr, "Warning "+driftCorrectionFailedReason)
}
