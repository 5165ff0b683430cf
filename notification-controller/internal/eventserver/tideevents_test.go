package eventserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/testkit"
)

// The two events Tide's kustomize-controller sends for a run that applied
// a commit (the change set, reason Progressing; then the success, with
// commit_status: update and a token) reach the providers as Flux's do: a
// GitHub provider posts a success commit status for the success event
// only, and a generic provider gets the change set only.
func TestTideKustomizationEventsReachGitAndChatProviders(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	const sha = "0123456789abcdef0123456789abcdef01234567"

	var mu sync.Mutex
	var posted []string
	github := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodGet {
			_, _ = w.Write([]byte(`[]`))
			return
		}
		mu.Lock()
		posted = append(posted, r.URL.Path+" "+string(body))
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
	testkit.CreateAndWait(t, env.cp.Client, env.mgr.GetClient(), &notificationv1beta3.Provider{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "github"},
		Spec: notificationv1beta3.ProviderSpec{Type: "github", Address: github.URL + "/org/app",
			SecretRef: &meta.LocalObjectReference{Name: "github"}}})
	testkit.CreateAndWait(t, env.cp.Client, env.mgr.GetClient(), &notificationv1beta3.Alert{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "github"},
		Spec: notificationv1beta3.AlertSpec{ProviderRef: meta.LocalObjectReference{Name: "github"},
			EventSources: []notificationv1.CrossNamespaceObjectReference{{Kind: "Kustomization", Name: "*"}}}})
	sink := newEndpoint(t)
	alertAndProvider(t, ns, sink.URL, nil)
	url := startServer(t, nil)

	obj := kustomization(ns, "apps", nil)
	rec := recorder(t, url)
	revision := "main@sha1:" + sha
	rec.AnnotatedEventf(obj, nil, map[string]string{kgroup + "revision": revision},
		corev1.EventTypeNormal, meta.ProgressingReason, "Reconcile", "ConfigMap/%s/web configured", ns)
	rec.AnnotatedEventf(obj, nil, map[string]string{
		kgroup + "revision": revision, kgroup + "commit_status": "update",
		kgroup + "token": "6f1c2a9e-3b7d-4c1e-9a2f-0d8e7b6c5a41",
	}, corev1.EventTypeNormal, "ReconciliationSucceeded", "Reconcile", "Applied revision: %s", revision)

	g.Eventually(statuses, testkit.Timeout).Should(ConsistOf(
		And(HavePrefix("/api/v3/repos/org/app/statuses/"+sha+" "), ContainSubstring(`"state":"success"`))))
	g.Eventually(sink.messages, testkit.Timeout).Should(Equal([]string{"ConfigMap/" + ns + "/web configured"}))
	g.Consistently(statuses).Should(HaveLen(1))
}
