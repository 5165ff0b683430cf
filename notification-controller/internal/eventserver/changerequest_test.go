package eventserver

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/testkit"
)

// A githubpullrequestcomment Provider comments on the pull request an
// object names in its event.toolkit.fluxcd.io/change_request annotation;
// the events of an object without it, and commit status updates, are not
// sent to it, as Flux drops them.
func TestPullRequestCommentFromChangeRequestAnnotation(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)

	var mu sync.Mutex
	var created []string
	github := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.URL.Path == "/api/v3/user":
			_, _ = w.Write([]byte(`{"login":"tide-bot"}`))
		case r.Method == http.MethodGet:
			_, _ = w.Write([]byte(`[]`))
		default:
			var c struct{ Body string }
			_ = json.Unmarshal(body, &c)
			mu.Lock()
			created = append(created, r.Method+" "+r.URL.Path+" "+c.Body)
			mu.Unlock()
			w.WriteHeader(http.StatusCreated)
		}
	}))
	t.Cleanup(github.Close)
	comments := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), created...)
	}

	testkit.CreateAndWait(t, env.cp.Client, env.mgr.GetClient(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "github"}, StringData: map[string]string{"token": "ghp"}})
	alert := alertAndProvider(t, ns, github.URL+"/org/app", func(_ *notificationv1beta3.Alert, p *notificationv1beta3.Provider) {
		p.Spec.Type = "githubpullrequestcomment"
		p.Spec.SecretRef = &meta.LocalObjectReference{Name: "github"}
	})
	url := startServer(t, nil)
	rec := recorder(t, url)

	preview := kustomization(ns, "preview", map[string]string{"event.toolkit.fluxcd.io/change_request": "42"})
	rec.AnnotatedEventf(preview, nil, map[string]string{kgroup + "revision": "pr-42@sha1:0123"},
		corev1.EventTypeWarning, "HealthCheckFailed", "Reconcile", "health check failed")
	rec.AnnotatedEventf(preview, nil, map[string]string{kgroup + "revision": "pr-42@sha1:0123", kgroup + "commit_status": "update"},
		corev1.EventTypeNormal, "ReconciliationSucceeded", "Reconcile", "applied")
	rec.AnnotatedEventf(kustomization(ns, "other", nil), nil, map[string]string{kgroup + "revision": "main@sha1:4567"},
		corev1.EventTypeWarning, "HealthCheckFailed", "Reconcile", "other failed")

	g.Eventually(comments, testkit.Timeout).Should(ConsistOf(And(
		HavePrefix("POST /api/v3/repos/org/app/issues/42/comments <!-- flux-pr-comment-key:"),
		ContainSubstring("/Kustomization/"+ns+"/preview -->"),
		ContainSubstring("⚠️ Kustomization/"+ns+"/preview\n\nhealth check failed"),
		ContainSubstring("* `revision`: pr-42@sha1:0123"),
		Not(ContainSubstring("change_request")))))
	g.Consistently(comments, 2*time.Second).Should(HaveLen(1))
	// The dropped event is no failure to report.
	g.Expect(warnings(alert, notificationv1.NotificationDispatchFailedReason)()).To(BeEmpty())
}
