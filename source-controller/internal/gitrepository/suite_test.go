package gitrepository

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	tidemanager "github.com/tidegitops/tide/skeleton/manager"
	"github.com/tidegitops/tide/source-controller/internal/artifactserver"
	"github.com/tidegitops/tide/source-controller/internal/storage"
	"github.com/tidegitops/tide/testkit"
)

// env is shared by the tests of this package: one control plane, one
// manager running the real reconciler, real storage and a real artifact
// server, as in a cluster.
var env struct {
	cp      *testkit.ControlPlane
	store   *storage.Storage
	root    string
	cache   client.Client
	http    *http.Client
	baseURL string
}

func TestMain(m *testing.M) {
	code, err := runSuite(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runSuite(m *testing.M) (int, error) {
	// Controller logs go to the test output (shown for failing tests with -v).
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.UseDevMode(true)))
	cp, err := testkit.StartControlPlane()
	if err != nil {
		return 0, err
	}
	defer cp.Stop()
	env.cp = cp

	root, err := os.MkdirTemp("", "source-storage-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(root)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	addr := listener.Addr().String()
	listener.Close()
	store, err := storage.New(root, addr, time.Hour, 2)
	if err != nil {
		return 0, err
	}
	env.store, env.root, env.baseURL, env.http = store, root, "http://"+addr, &http.Client{Timeout: 10 * time.Second}

	opts := tidemanager.Options{Name: "source-controller", MetricsAddr: "0", HealthAddr: "0"}
	opts.Watch.AllNamespaces = true
	// Objects of a test shard are another manager's (see startShard).
	opts.Watch.LabelSelector = "!" + testShardLabel
	mgr, err := tidemanager.New(cp.Config, opts, cp.Scheme, &sourcev1.GitRepository{})
	if err != nil {
		return 0, err
	}
	skel, err := tidemanager.NewSkeleton(mgr, opts)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reconciler := &Reconciler{Client: mgr.GetClient(), Skeleton: skel, Storage: store, DependencyRequeue: 2 * time.Second}
	if err := reconciler.SetupWithManager(ctx, mgr, controller.Options{MaxConcurrentReconciles: 4}); err != nil {
		return 0, err
	}
	go func() { _ = artifactserver.Serve(ctx, addr, root) }()
	go func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "manager:", err)
		}
	}()
	env.cache = mgr.GetClient()
	return m.Run(), nil
}

// newGitRepository builds a GitRepository for url in ns; mutate adjusts it.
func newGitRepository(ns, url string, mutate ...func(*sourcev1.GitRepository)) *sourcev1.GitRepository {
	obj := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "repo-", Namespace: ns},
		Spec: sourcev1.GitRepositorySpec{
			URL: url, Interval: metav1.Duration{Duration: time.Hour}, Timeout: &metav1.Duration{Duration: 10 * time.Second},
		},
	}
	for _, m := range mutate {
		m(obj)
	}
	return obj
}

func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := env.cp.Client.Create(context.Background(), obj); err != nil {
		t.Fatalf("create %s: %v", obj.GetName(), err)
	}
}

func createSecret(t *testing.T, ns, name string, data map[string][]byte) {
	t.Helper()
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Data: data})
}

// waitReady waits until obj is Ready at its current generation.
func waitReady(t *testing.T, obj *sourcev1.GitRepository) {
	t.Helper()
	testkit.WaitForCondition(t, env.cp.Client, obj, meta.ReadyCondition, metav1.ConditionTrue, "")
	NewWithT(t).Eventually(func() int64 {
		_ = env.cp.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		return obj.Status.ObservedGeneration
	}, testkit.Timeout).Should(Equal(obj.Generation))
}

// waitNotReady waits for Ready=False with the given reason.
func waitNotReady(t *testing.T, obj *sourcev1.GitRepository, reason string) *metav1.Condition {
	t.Helper()
	testkit.WaitForCondition(t, env.cp.Client, obj, meta.ReadyCondition, metav1.ConditionFalse, reason)
	return conditions.Get(obj, meta.ReadyCondition)
}

// requestReconcile sets reconcile.fluxcd.io/requestedAt, as `flux reconcile`
// does, and waits until the controller reports it handled.
func requestReconcile(t *testing.T, obj *sourcev1.GitRepository) {
	t.Helper()
	ctx := context.Background()
	token := time.Now().Format(time.RFC3339Nano)
	patch := client.MergeFrom(obj.DeepCopy())
	if obj.Annotations == nil {
		obj.Annotations = map[string]string{}
	}
	obj.Annotations[meta.ReconcileRequestAnnotation] = token
	if err := env.cp.Client.Patch(ctx, obj, patch); err != nil {
		t.Fatal(err)
	}
	NewWithT(t).Eventually(func() string {
		_ = env.cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj)
		return obj.Status.LastHandledReconcileAt
	}, testkit.Timeout).Should(Equal(token))
}

// download fetches the artifact from its URL, as the kustomize-controller
// does, and checks the digest in status against the bytes served.
func download(t *testing.T, a *meta.Artifact) []byte {
	t.Helper()
	resp, err := env.http.Get(a.URL)
	if err != nil {
		t.Fatalf("download %s: %v", a.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("download %s: %s", a.URL, resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if got := "sha256:" + hex.EncodeToString(sum[:]); got != a.Digest {
		t.Fatalf("served artifact has digest %s, status says %s", got, a.Digest)
	}
	return body
}

// eventReasons lists the reasons of the events recorded for obj.
func eventReasons(t *testing.T, obj client.Object) []string {
	t.Helper()
	var list corev1.EventList
	if err := env.cp.Client.List(context.Background(), &list, client.InNamespace(obj.GetNamespace())); err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, e := range list.Items {
		if e.InvolvedObject.Name == obj.GetName() {
			reasons = append(reasons, e.Reason)
		}
	}
	return reasons
}

// waitEventReason waits until obj has an event with reason: events are
// recorded asynchronously, so one may trail the status that tells of it.
func waitEventReason(t *testing.T, obj client.Object, reason string) {
	t.Helper()
	NewWithT(t).Eventually(func() []string { return eventReasons(t, obj) }, testkit.Timeout, 100*time.Millisecond).
		Should(ContainElement(reason), "no %s event", reason)
}

// requestReconcileNoWait sets reconcile.fluxcd.io/requestedAt without
// waiting for the outcome, for tests that wait for a failure.
func requestReconcileNoWait(t *testing.T, obj *sourcev1.GitRepository) {
	t.Helper()
	patch := client.MergeFrom(obj.DeepCopy())
	if obj.Annotations == nil {
		obj.Annotations = map[string]string{}
	}
	obj.Annotations[meta.ReconcileRequestAnnotation] = time.Now().Format(time.RFC3339Nano)
	if err := env.cp.Client.Patch(context.Background(), obj, patch); err != nil {
		t.Fatal(err)
	}
}
