package eventserver

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/testkit"
)

// A HelmRelease's events carry its chart version as revision, which is no
// Git commit: a GitHub commit status Provider drops them, as Flux does,
// instead of failing on every event; one whose object names its commit in
// the event.toolkit.fluxcd.io/commit annotation gets a status on it.
func TestCommitStatusNeedsAGitCommit(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	const sha = "89abcdef0123456789abcdef0123456789abcdef"

	var mu sync.Mutex
	var posted []string
	github := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		if r.Method == http.MethodGet {
			_, _ = w.Write([]byte(`[]`))
			return
		}
		mu.Lock()
		posted = append(posted, r.URL.Path)
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(github.Close)
	statuses := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), posted...)
	}

	testkit.CreateAndWait(t, env.cp.Client, env.mgr.GetClient(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "github"}, StringData: map[string]string{"token": "ghp"}})
	alert := alertAndProvider(t, ns, github.URL+"/org/app", func(a *notificationv1beta3.Alert, p *notificationv1beta3.Provider) {
		p.Spec.Type = "github"
		p.Spec.SecretRef = &meta.LocalObjectReference{Name: "github"}
		a.Spec.EventSources = []notificationv1.CrossNamespaceObjectReference{{Kind: "HelmRelease", Name: "*"}}
	})
	url := startServer(t, nil)

	helmEvent := func(name, message string, metadata map[string]string) []byte {
		b, err := json.Marshal(eventv1.Event{
			InvolvedObject: corev1.ObjectReference{APIVersion: "helm.toolkit.fluxcd.io/v2", Kind: "HelmRelease", Namespace: ns, Name: name},
			Severity:       "error", Timestamp: metav1.Now(), Message: message, Reason: "UpgradeFailed",
			ReportingController: "helm-controller", Metadata: metadata,
		})
		g.Expect(err).NotTo(HaveOccurred())
		return b
	}
	g.Expect(post(t, url, helmEvent("plain", "upgrade failed", map[string]string{
		"helm.toolkit.fluxcd.io/revision": "1.0.0", "helm.toolkit.fluxcd.io/token": "sha256:aa"}))).To(Equal(http.StatusAccepted))
	g.Expect(post(t, url, helmEvent("annotated", "upgrade failed too", map[string]string{
		"helm.toolkit.fluxcd.io/revision": "1.0.0", "event.toolkit.fluxcd.io/commit": sha}))).To(Equal(http.StatusAccepted))

	g.Eventually(statuses, testkit.Timeout).Should(Equal([]string{"/api/v3/repos/org/app/statuses/" + sha}))
	g.Consistently(statuses, 2*time.Second).Should(HaveLen(1))
	g.Expect(warnings(alert, notificationv1.NotificationDispatchFailedReason)()).To(BeEmpty())
}
