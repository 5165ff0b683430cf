package helmrelease

import (
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// gadgetCRD is a kind without status: kstatus reads a Gadget as Current as
// soon as it exists, so only healthCheckExprs can make a release wait for
// one or fail on one.
const gadgetCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.tide.dev
spec:
  group: example.tide.dev
  names:
    kind: Gadget
    plural: gadgets
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
`

// gadgetChart releases a Gadget whose state annotation comes from the
// values.
func gadgetChart(version string) testChart {
	return testChart{name: "gadget", version: version, values: "state: ready\n",
		crds: map[string]string{"gadget.yaml": gadgetCRD},
		templates: map[string]string{"gadget.yaml": `apiVersion: example.tide.dev/v1
kind: Gadget
metadata:
  name: {{ .Release.Name }}
  annotations:
    state: {{ .Values.state | quote }}
`}}
}

var gadgetHealth = []kustomizev1.CustomHealthCheck{{APIVersion: "example.tide.dev/v1", Kind: "Gadget",
	HealthCheckExpressions: kustomizev1.HealthCheckExpressions{
		Current: "metadata.annotations.state == 'ready'",
		Failed:  "metadata.annotations.state == 'broken'",
	}}}

// spec.healthCheckExprs decide when Helm's wait finds the release's
// objects ready, as in Flux: a Gadget the current expression holds for is
// released, one the failed expression holds for fails the release at once
// (not at the timeout), and one neither holds for is waited on until the
// timeout, Ready=Unknown saying which action runs meanwhile. An
// expression that does not compile is refused before anything is
// released.
func TestHealthCheckExprs(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "gadget", gadgetChart("1.0.0"))

	healthy := newRelease(ns, "healthy", hc.Name)
	healthy.Spec.HealthCheckExprs = gadgetHealth
	create(t, healthy)
	waitReady(t, healthy, metav1.ConditionTrue, helmv2.InstallSucceededReason)

	// Failed at once, though the timeout is long.
	broken := newRelease(ns, "broken", hc.Name)
	broken.Spec.HealthCheckExprs = gadgetHealth
	broken.Spec.Timeout = &metav1.Duration{Duration: 10 * time.Minute}
	broken.Spec.Values = jsonValues(t, "state: broken")
	create(t, broken)
	waitReady(t, broken, metav1.ConditionFalse, helmv2.InstallFailedReason)
	g.Expect(conditionMessage(broken, meta.ReadyCondition)).To(SatisfyAll(
		ContainSubstring("Gadget/"+ns+"/broken failed: failed expression"), Not(ContainSubstring(":  "))))
	waitEvent(t, broken, "Warning InstallFailed", "failed expression")

	// Waited on until the timeout, with the action in progress shown.
	pending := newRelease(ns, "pending", hc.Name)
	pending.Spec.HealthCheckExprs = gadgetHealth
	pending.Spec.Timeout = &metav1.Duration{Duration: 8 * time.Second}
	pending.Spec.Values = jsonValues(t, "state: starting")
	create(t, pending)
	g.Eventually(func() string {
		readyMessage(t, pending)
		r, rec := conditions.Get(pending, meta.ReadyCondition), conditions.Get(pending, meta.ReconcilingCondition)
		if r == nil || rec == nil {
			return ""
		}
		return string(r.Status) + " " + r.Reason + ": " + r.Message + " | " + string(rec.Status) + " " + rec.Message
	}, testkit.Timeout, 100*time.Millisecond).Should(Equal(
		"Unknown Progressing: Running 'install' action with timeout of 8s | True Running 'install' action with timeout of 8s"))
	waitReady(t, pending, metav1.ConditionFalse, helmv2.InstallFailedReason)
	g.Expect(conditionMessage(pending, meta.ReadyCondition)).To(ContainSubstring("InProgress"))

	invalid := newRelease(ns, "invalid", hc.Name)
	invalid.Spec.HealthCheckExprs = []kustomizev1.CustomHealthCheck{{APIVersion: "example.tide.dev/v1", Kind: "Gadget",
		HealthCheckExpressions: kustomizev1.HealthCheckExpressions{Current: "metadata.annotations.state =="}}}
	create(t, invalid)
	testkit.WaitForCondition(t, env.cp.Client, invalid, meta.StalledCondition, metav1.ConditionTrue, invalidSpecReason)
	g.Expect(conditionMessage(invalid, meta.ReadyCondition)).To(ContainSubstring("spec.healthCheckExprs"))
	g.Expect(invalid.Status.History).To(BeEmpty())
}
