package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
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
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// receiverPipeline is the source-, kustomize- and notification-controllers
// as processes around one Git repository: a GitRepository and a
// Kustomization at interval 1h (only a Receiver call makes a push apply
// soon), a generic Receiver for the GitRepository, and an Alert on the
// Kustomization whose generic Provider posts to an in-test endpoint.
type receiverPipeline struct {
	ns   string
	repo *testkit.Repo
	// hookURL is the Receiver's webhook URL.
	hookURL string

	mu       sync.Mutex
	received []eventv1.Event
}

// startReceiverPipeline starts the pipeline with apps/web.yaml (ConfigMap
// "web", key "v1") committed, and returns once it is applied and the
// Receiver has its webhook path.
func startReceiverPipeline(tb testing.TB) *receiverPipeline {
	tb.Helper()
	g := NewWithT(tb)
	ctx := context.Background()
	if err := notificationv1.AddToScheme(cp.Scheme); err != nil {
		tb.Fatal(err)
	}
	git := testkit.StartGitServer(tb)
	p := &receiverPipeline{repo: git.NewRepo(tb, "fleet")}
	p.repo.Write("apps/web.yaml", configMapYAML("web", "v1"))
	p.repo.Commit("first")

	events, hooks := localAddr(tb), localAddr(tb)
	testkit.StartController(tb, cp, "notification-controller", "--events-addr="+events, "--receiverAddr="+hooks)
	testkit.StartControllers(tb, cp, "--events-addr=http://"+events)

	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var e eventv1.Event
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &e)
		p.mu.Lock()
		p.received = append(p.received, e)
		p.mu.Unlock()
	}))
	tb.Cleanup(sink.Close)

	p.ns = testkit.NewNamespace(tb, cp.Client)
	ns := p.ns
	for _, obj := range []client.Object{
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "webhook", Namespace: ns}, StringData: map[string]string{"token": "s3cr3t"}},
		&sourcev1.GitRepository{ObjectMeta: metav1.ObjectMeta{Name: "fleet", Namespace: ns},
			Spec: sourcev1.GitRepositorySpec{URL: git.HTTPURL("fleet"), Interval: metav1.Duration{Duration: time.Hour}}},
		&kustomizev1.Kustomization{ObjectMeta: metav1.ObjectMeta{Name: "apps", Namespace: ns},
			Spec: kustomizev1.KustomizationSpec{Interval: metav1.Duration{Duration: time.Hour}, Path: "./apps", Prune: true, TargetNamespace: ns,
				SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: sourcev1.GitRepositoryKind, Name: "fleet"}}},
		&notificationv1.Receiver{ObjectMeta: metav1.ObjectMeta{Name: "push", Namespace: ns},
			Spec: notificationv1.ReceiverSpec{Type: "generic", SecretRef: &meta.LocalObjectReference{Name: "webhook"},
				Resources: []notificationv1.ReceiverResource{{CrossNamespaceObjectReference: notificationv1.CrossNamespaceObjectReference{Kind: "GitRepository", Name: "fleet"}}}}},
		&notificationv1.Provider{ObjectMeta: metav1.ObjectMeta{Name: "sink", Namespace: ns},
			Spec: notificationv1.ProviderSpec{Type: "generic", Address: sink.URL}},
		&notificationv1.Alert{ObjectMeta: metav1.ObjectMeta{Name: "apps", Namespace: ns},
			Spec: notificationv1.AlertSpec{ProviderRef: meta.LocalObjectReference{Name: "sink"},
				EventSources: []notificationv1.CrossNamespaceObjectReference{{Kind: "Kustomization", Name: "apps"}}}},
	} {
		g.Expect(cp.Client.Create(ctx, obj)).To(Succeed())
	}
	g.Eventually(p.value, time.Minute).Should(Equal("v1"))
	rcv := &notificationv1.Receiver{}
	g.Eventually(func() string {
		_ = cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "push"}, rcv)
		return rcv.Status.WebhookPath
	}, time.Minute).Should(HavePrefix("/hook/"))
	p.hookURL = "http://" + hooks + rcv.Status.WebhookPath
	return p
}

// value is the applied ConfigMap "web"'s key, or "<absent>".
func (p *receiverPipeline) value() string {
	cm := &corev1.ConfigMap{}
	if err := cp.Client.Get(context.Background(), client.ObjectKey{Namespace: p.ns, Name: "web"}, cm); err != nil {
		return "<absent>"
	}
	return cm.Data["key"]
}

// callReceiver posts to the webhook and returns the status (0 when the
// request fails).
func (p *receiverPipeline) callReceiver() int {
	resp, err := http.Post(p.hookURL, "application/json", bytes.NewReader([]byte(`{}`)))
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// alerts lists the events the Alert's endpoint got, as "reason revision".
func (p *receiverPipeline) alerts() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, e := range p.received {
		out = append(out, e.Reason+" "+e.Metadata["revision"])
	}
	return out
}

func localAddr(tb testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
