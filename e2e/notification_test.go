package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
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

// The three controllers as processes: a push calls a generic Receiver,
// the commit is applied at once (the GitRepository's interval is an hour),
// and an Alert's generic endpoint gets the Kustomization's success event
// with the revision.
func TestPushToReceiverToAlert(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	if err := notificationv1.AddToScheme(cp.Scheme); err != nil {
		t.Fatal(err)
	}
	git := testkit.StartGitServer(t)
	repo := git.NewRepo(t, "fleet")
	repo.Write("apps/web.yaml", configMapYAML("web", "v1"))
	repo.Commit("first")

	events, hooks := localAddr(t), localAddr(t)
	startNotificationController(t, "--events-addr="+events, "--receiverAddr="+hooks)
	testkit.StartControllers(t, cp, "--events-addr=http://"+events)

	var mu sync.Mutex
	var received []eventv1.Event
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var e eventv1.Event
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &e)
		mu.Lock()
		received = append(received, e)
		mu.Unlock()
	}))
	defer sink.Close()

	ns := testkit.NewNamespace(t, cp.Client)
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
	value := func() string {
		cm := &corev1.ConfigMap{}
		if err := cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, cm); err != nil {
			return "<absent>"
		}
		return cm.Data["key"]
	}
	g.Eventually(value, time.Minute).Should(Equal("v1"))
	rcv := &notificationv1.Receiver{}
	g.Eventually(func() string {
		_ = cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "push"}, rcv)
		return rcv.Status.WebhookPath
	}, time.Minute).Should(HavePrefix("/hook/"))

	repo.Write("apps/web.yaml", configMapYAML("web", "v2"))
	commit := repo.Commit("second")
	start := time.Now()
	g.Eventually(func() int {
		resp, err := http.Post("http://"+hooks+rcv.Status.WebhookPath, "application/json", bytes.NewReader([]byte(`{}`)))
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}, time.Minute).Should(Equal(http.StatusOK))
	g.Eventually(value, time.Minute).Should(Equal("v2"))
	t.Logf("push to applied through the Receiver: %s", time.Since(start).Round(time.Millisecond))

	g.Eventually(func() []string {
		mu.Lock()
		defer mu.Unlock()
		var out []string
		for _, e := range received {
			out = append(out, e.Reason+" "+e.Metadata["revision"])
		}
		return out
	}, time.Minute).Should(ContainElement(And(HavePrefix("ReconciliationSucceeded"), ContainSubstring(commit))))
}

// startNotificationController builds and runs the notification-controller.
func startNotificationController(t *testing.T, args ...string) {
	t.Helper()
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", dir, "./cmd/notification-controller")
	build.Dir = filepath.Join(testkit.RepoRoot(), "notification-controller")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build notification-controller: %v\n%s", err, out)
	}
	args = append([]string{"--kubeconfig=" + testkit.WriteKubeconfig(t, cp), "--watch-all-namespaces",
		"--metrics-addr=0", "--health-addr=0", "--log-encoding=console"}, args...)
	cmd := exec.Command(filepath.Join(dir, "notification-controller"), args...)
	var logs bytes.Buffer
	var mu sync.Mutex
	cmd.Stdout, cmd.Stderr = lockedWriter{&mu, &logs}, lockedWriter{&mu, &logs}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		if t.Failed() {
			mu.Lock()
			t.Logf("notification-controller log:\n%s", logs.String())
			mu.Unlock()
		}
	})
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func localAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
