package eventserver

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/testkit"
)

func severityJSON(t *testing.T, ns, severity, message, revision string) []byte {
	var e eventv1.Event
	if err := json.Unmarshal(eventJSON(t, ns, message, revision), &e); err != nil {
		t.Fatal(err)
	}
	e.Severity = severity
	b, _ := json.Marshal(e)
	return b
}

// on-change-only: an error is sent once until its message changes or the
// object recovers.
func TestOnChangeOnlyAlert(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	sink := newEndpoint(t)
	alertAndProvider(t, ns, sink.URL, func(a *notificationv1beta3.Alert, _ *notificationv1beta3.Provider) {
		a.Annotations = map[string]string{OnChangeOnlyAnnotation: "true"}
	})
	url := startServer(t, nil)
	for i, step := range []struct{ severity, message, revision string }{
		{"error", "health check failed", "rev1"},
		{"error", "health check failed", "rev2"}, // same error: not sent again
		{"error", "build failed", "rev2"},
		{"info", "applied", "rev3"},
		{"error", "health check failed", "rev4"}, // a new episode
	} {
		g.Expect(post(t, url, severityJSON(t, ns, step.severity, step.message, step.revision))).To(Equal(http.StatusAccepted), "step %d", i)
		// Dispatch is asynchronous: each step reaches the endpoint before the next.
		g.Eventually(func() int { return len(sink.messages()) }, testkit.Timeout).Should(BeNumerically(">=", map[int]int{0: 1, 1: 1, 2: 2, 3: 3, 4: 4}[i]))
	}
	g.Consistently(sink.messages, time.Second).Should(Equal([]string{"health check failed", "build failed", "applied", "health check failed"}))
}

// threshold: errors are sent from the Nth within the window.
func TestThresholdAlert(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	sink := newEndpoint(t)
	a := alertAndProvider(t, ns, sink.URL, func(a *notificationv1beta3.Alert, _ *notificationv1beta3.Provider) {
		a.Annotations = map[string]string{ThresholdAnnotation: "3", ThresholdWindowAnnotation: "10m"}
	})
	url := startServer(t, nil)
	for _, rev := range []string{"r1", "r2"} {
		g.Expect(post(t, url, severityJSON(t, ns, "error", "failing", rev))).To(Equal(http.StatusAccepted))
	}
	g.Consistently(sink.messages, time.Second).Should(BeEmpty())
	g.Expect(post(t, url, severityJSON(t, ns, "error", "failing", "r3"))).To(Equal(http.StatusAccepted))
	g.Eventually(sink.messages, testkit.Timeout).Should(Equal([]string{"failing"}))

	bad := &notificationv1beta3.Alert{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: a.Name}}
	g.Expect(env.cp.Client.Get(env.ctx, clientKey(a), bad)).To(Succeed())
	bad.Annotations[ThresholdAnnotation] = "many"
	g.Expect(env.cp.Client.Update(env.ctx, bad)).To(Succeed())
	g.Eventually(func() []string {
		_ = post(t, url, severityJSON(t, ns, "error", "failing", time.Now().String()))
		return warnings(a, "InvalidConfig")()
	}, testkit.Timeout).Should(ContainElement(ContainSubstring(`invalid notification.tidegitops.io/threshold "many"`)))
}

func TestGateWindow(t *testing.T) {
	g := NewWithT(t)
	now := time.Unix(0, 0)
	gt := newGate(func() time.Time { return now })
	a := &notificationv1beta3.Alert{ObjectMeta: metav1.ObjectMeta{UID: "u", Annotations: map[string]string{ThresholdAnnotation: "2", ThresholdWindowAnnotation: "1m"}}}
	e := &eventv1.Event{Severity: "error", Message: "x", InvolvedObject: corev1.ObjectReference{Kind: "Kustomization", Name: "a"}}
	pass := func() bool { ok, err := gt.pass(a, e); g.Expect(err).NotTo(HaveOccurred()); return ok }
	g.Expect(pass()).To(BeFalse())
	now = now.Add(2 * time.Minute) // the first error left the window
	g.Expect(pass()).To(BeFalse())
	now = now.Add(10 * time.Second)
	g.Expect(pass()).To(BeTrue())
}
