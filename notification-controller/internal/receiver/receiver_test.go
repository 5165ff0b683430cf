package receiver

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

const token = "webhook-token-7f3e"

// setup makes a namespace with the token Secret, GitRepositories named by
// repos (labels from labels), and a Receiver changed by edit; it waits for
// the Receiver to be Ready and returns it.
func setup(t *testing.T, edit func(*notificationv1.Receiver), repos map[string]map[string]string) *notificationv1.Receiver {
	t.Helper()
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	g.Expect(env.cp.Client.Create(env.ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "token"},
		StringData: map[string]string{"token": token}})).To(Succeed())
	for name, labels := range repos {
		g.Expect(env.cp.Client.Create(env.ctx, &sourcev1.GitRepository{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels},
			Spec:       sourcev1.GitRepositorySpec{URL: "https://example.invalid/" + name, Interval: metav1.Duration{Duration: time.Hour}},
		})).To(Succeed())
	}
	rcv := &notificationv1.Receiver{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "hook"},
		Spec: notificationv1.ReceiverSpec{
			Type:      "generic",
			SecretRef: &meta.LocalObjectReference{Name: "token"},
			Resources: []notificationv1.ReceiverResource{{CrossNamespaceObjectReference: notificationv1.CrossNamespaceObjectReference{Kind: "GitRepository", Name: "app"}}},
		},
	}
	if edit != nil {
		edit(rcv)
	}
	g.Expect(env.cp.Client.Create(env.ctx, rcv)).To(Succeed())
	testkit.WaitForCondition(t, env.mgr.GetClient(), rcv, meta.ReadyCondition, metav1.ConditionTrue, meta.SucceededReason)
	// The server finds Receivers through the cache's index.
	g.Eventually(func() int {
		var list notificationv1.ReceiverList
		_ = env.mgr.GetClient().List(env.ctx, &list, client.MatchingFields{WebhookPathIndex: rcv.Status.WebhookPath})
		return len(list.Items)
	}, testkit.Timeout).Should(Equal(1))
	return rcv
}

func hit(t *testing.T, path string, body []byte, header map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, env.hookURL+path, bytes.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func requestedAt(t *testing.T, ns, name string) string {
	repo := &sourcev1.GitRepository{}
	if err := env.cp.Client.Get(env.ctx, client.ObjectKey{Namespace: ns, Name: name}, repo); err != nil {
		t.Fatal(err)
	}
	return repo.Annotations[meta.ReconcileRequestAnnotation]
}

func sign(body []byte) string {
	mac := hmac.New(sha256.New, []byte(token))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func TestReceiverPublishesFluxWebhookPath(t *testing.T) {
	g := NewWithT(t)
	rcv := setup(t, nil, map[string]map[string]string{"app": nil})
	sum := sha256.Sum256([]byte(token + "hook" + rcv.Namespace))
	want := "/hook/" + hex.EncodeToString(sum[:])
	g.Expect(rcv.Status.WebhookPath).To(Equal(want))
	ready := meta.ReadyCondition
	for _, c := range rcv.Status.Conditions {
		if c.Type == ready {
			g.Expect(c.Message).To(Equal("Receiver initialized for path: " + want))
		}
	}
	g.Expect(hit(t, want, []byte(`{}`), nil)).To(Equal(http.StatusOK))
	g.Expect(requestedAt(t, rcv.Namespace, "app")).NotTo(BeEmpty())
	g.Expect(hit(t, "/hook/0000", []byte(`{}`), nil)).To(Equal(http.StatusNotFound))
}

func TestGitHubReceiverChecksSignatureAndEvents(t *testing.T) {
	g := NewWithT(t)
	rcv := setup(t, func(r *notificationv1.Receiver) {
		r.Spec.Type = "github"
		r.Spec.Events = []string{"push"}
	}, map[string]map[string]string{"app": nil})
	body := []byte(`{"ref":"refs/heads/main","repository":{"full_name":"org/app"}}`)

	g.Expect(hit(t, rcv.Status.WebhookPath, body, map[string]string{"X-Hub-Signature-256": "sha256=" + strings.Repeat("0", 64), "X-GitHub-Event": "push"})).
		To(Equal(http.StatusBadRequest), "a wrong signature")
	g.Expect(hit(t, rcv.Status.WebhookPath, body, map[string]string{"X-GitHub-Event": "push"})).To(Equal(http.StatusBadRequest), "no signature")
	g.Expect(hit(t, rcv.Status.WebhookPath, body, map[string]string{"X-Hub-Signature-256": sign(body), "X-GitHub-Event": "issues"})).
		To(Equal(http.StatusBadRequest), "an event not listed")
	g.Expect(requestedAt(t, rcv.Namespace, "app")).To(BeEmpty(), "nothing changed")

	g.Expect(hit(t, rcv.Status.WebhookPath, body, map[string]string{"X-Hub-Signature-256": sign(body), "X-GitHub-Event": "push", "Content-Type": "application/json"})).
		To(Equal(http.StatusOK))
	g.Expect(requestedAt(t, rcv.Namespace, "app")).NotTo(BeEmpty())
}

func TestGitLabAndGenericHMACReceivers(t *testing.T) {
	g := NewWithT(t)
	gl := setup(t, func(r *notificationv1.Receiver) {
		r.Spec.Type = "gitlab"
		r.Spec.Events = []string{"Push Hook"}
	}, map[string]map[string]string{"app": nil})
	g.Expect(hit(t, gl.Status.WebhookPath, []byte(`{}`), map[string]string{"X-Gitlab-Token": "wrong", "X-Gitlab-Event": "Push Hook"})).To(Equal(http.StatusBadRequest))
	g.Expect(requestedAt(t, gl.Namespace, "app")).To(BeEmpty())
	g.Expect(hit(t, gl.Status.WebhookPath, []byte(`{}`), map[string]string{"X-Gitlab-Token": token, "X-Gitlab-Event": "push hook"})).To(Equal(http.StatusOK))
	g.Expect(requestedAt(t, gl.Namespace, "app")).NotTo(BeEmpty())

	hm := setup(t, func(r *notificationv1.Receiver) { r.Spec.Type = "generic-hmac" }, map[string]map[string]string{"app": nil})
	body := []byte(`{"hello":"world"}`)
	g.Expect(hit(t, hm.Status.WebhookPath, body, map[string]string{"X-Signature": sign([]byte("other"))})).To(Equal(http.StatusBadRequest))
	g.Expect(requestedAt(t, hm.Namespace, "app")).To(BeEmpty())
	g.Expect(hit(t, hm.Status.WebhookPath, body, map[string]string{"X-Signature": sign(body)})).To(Equal(http.StatusOK))
	g.Expect(requestedAt(t, hm.Namespace, "app")).NotTo(BeEmpty())
	g.Expect(hit(t, hm.Status.WebhookPath, bytes.Repeat([]byte("x"), maxBodyBytes+1), nil)).To(Equal(http.StatusRequestEntityTooLarge))
}

func TestReceiverMatchLabelsAndFilters(t *testing.T) {
	g := NewWithT(t)
	rcv := setup(t, func(r *notificationv1.Receiver) {
		r.Spec.Resources = []notificationv1.ReceiverResource{{
			CrossNamespaceObjectReference: notificationv1.CrossNamespaceObjectReference{Kind: "GitRepository", Name: "*", MatchLabels: map[string]string{"team": "blue"}},
			Filter:                        "res.metadata.name != 'skipped'",
		}}
		r.Spec.ResourceFilter = "res.metadata.name.startsWith(req.prefix)"
	}, map[string]map[string]string{"web-a": {"team": "blue"}, "web-b": {"team": "red"}, "skipped": {"team": "blue"}, "api": {"team": "blue"}})
	g.Expect(hit(t, rcv.Status.WebhookPath, []byte(`{"prefix":"web"}`), nil)).To(Equal(http.StatusOK))
	g.Expect(requestedAt(t, rcv.Namespace, "web-a")).NotTo(BeEmpty())
	g.Expect(requestedAt(t, rcv.Namespace, "web-b")).To(BeEmpty(), "labels differ")
	g.Expect(requestedAt(t, rcv.Namespace, "skipped")).To(BeEmpty(), "the resource's own filter")
	g.Expect(requestedAt(t, rcv.Namespace, "api")).To(BeEmpty(), "the receiver's filter")
}

func TestReceiverBadConfiguration(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	newReceiver := func(name string, edit func(*notificationv1.Receiver)) *notificationv1.Receiver {
		r := &notificationv1.Receiver{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: notificationv1.ReceiverSpec{
			Type: "generic", SecretRef: &meta.LocalObjectReference{Name: "token"},
			Resources: []notificationv1.ReceiverResource{{CrossNamespaceObjectReference: notificationv1.CrossNamespaceObjectReference{Kind: "GitRepository", Name: "app"}}},
		}}
		edit(r)
		g.Expect(env.cp.Client.Create(env.ctx, r)).To(Succeed())
		return r
	}
	badFilter := newReceiver("bad-filter", func(r *notificationv1.Receiver) { r.Spec.ResourceFilter = "res.metadata.name ==" })
	testkit.WaitForCondition(t, env.mgr.GetClient(), badFilter, meta.StalledCondition, metav1.ConditionTrue, notificationv1.InvalidConfigReason)
	notBool := newReceiver("not-bool", func(r *notificationv1.Receiver) { r.Spec.Resources[0].Filter = "'a string'" })
	testkit.WaitForCondition(t, env.mgr.GetClient(), notBool, meta.StalledCondition, metav1.ConditionTrue, notificationv1.InvalidConfigReason)
	gcr := newReceiver("gcr", func(r *notificationv1.Receiver) { r.Spec.Type = "gcr" })
	testkit.WaitForCondition(t, env.mgr.GetClient(), gcr, meta.StalledCondition, metav1.ConditionTrue, notificationv1.ValidationFailedReason)
	g.Expect(gcr.Status.Conditions).To(ContainElement(HaveField("Message", ContainSubstring(`receiver type "gcr" is not supported by Tide`))))

	noToken := newReceiver("no-token", func(*notificationv1.Receiver) {})
	testkit.WaitForCondition(t, env.mgr.GetClient(), noToken, meta.ReadyCondition, metav1.ConditionFalse, notificationv1.TokenNotFoundReason)
	g.Expect(noToken.Status.WebhookPath).To(BeEmpty())
	g.Expect(env.cp.Client.Create(env.ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "token"},
		StringData: map[string]string{"token": token}})).To(Succeed())
	testkit.WaitForCondition(t, env.mgr.GetClient(), noToken, meta.ReadyCondition, metav1.ConditionTrue, meta.SucceededReason)
	g.Expect(noToken.Status.WebhookPath).To(HavePrefix("/hook/"))
}
