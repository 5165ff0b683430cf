package manager

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
	"github.com/fluxcd/pkg/runtime/events"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// A slow notification webhook does not hold up the reconciliation that
// records an event: the Kubernetes event is recorded at once and the
// webhook gets the event, with its metadata, later.
func TestEventsPostedWithoutWaitingForTheWebhook(t *testing.T) {
	g := NewWithT(t)
	release := make(chan struct{})
	received := make(chan eventv1.Event, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		body, _ := io.ReadAll(r.Body)
		var e eventv1.Event
		_ = json.Unmarshal(body, &e)
		received <- e
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	defer close(release)

	kube := events.NewFakeRecorder(10, false)
	hook, err := events.NewRecorder(ctrl.Log, srv.URL, "source-controller", events.WithScheme(testkit.NewScheme()))
	g.Expect(err).NotTo(HaveOccurred())
	r := newAsyncRecorder(kube, hook, ctrl.Log)

	obj := &sourcev1.GitRepository{ObjectMeta: metav1.ObjectMeta{Name: "repo", Namespace: "apps"}}
	start := time.Now()
	r.AnnotatedEventf(obj, nil, map[string]string{"source.toolkit.fluxcd.io/revision": "main@sha1:abc"},
		corev1.EventTypeNormal, "Succeeded", "Reconcile", "stored artifact for %s", "main")
	g.Expect(time.Since(start)).To(BeNumerically("<", 500*time.Millisecond))
	g.Expect(kube.GetEvents()).To(ConsistOf(HaveField("Message", "stored artifact for main")))

	obj.Name = "changed-after-the-event"
	release <- struct{}{}
	var got eventv1.Event
	g.Eventually(received, 10*time.Second).Should(Receive(&got))
	g.Expect(got.Message).To(Equal("stored artifact for main"))
	g.Expect(got.InvolvedObject.Name).To(Equal("repo"), "the object as it was when the event was recorded")
	g.Expect(got.Metadata).To(HaveKeyWithValue("source.toolkit.fluxcd.io/revision", "main@sha1:abc"))
}
