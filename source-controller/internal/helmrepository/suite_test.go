package helmrepository

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
	"github.com/tidegitops/tide/source-controller/internal/helmindex"
	"github.com/tidegitops/tide/source-controller/internal/storage"
	"github.com/tidegitops/tide/testkit"
)

// indexMaxSize is the --helm-index-max-size of the tests' controller.
const indexMaxSize = 64 << 10

// env is shared by the tests of this package: one control plane, one
// manager running the real reconciler, real storage, the shared index
// cache and a real artifact server, as in a cluster.
var env struct {
	cp      *testkit.ControlPlane
	store   *storage.Storage
	root    string
	indexes *helmindex.Cache
	http    *http.Client
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
	env.store, env.root, env.http = store, root, &http.Client{Timeout: 10 * time.Second}
	env.indexes = helmindex.New(10, time.Hour)

	opts := tidemanager.Options{Name: "source-controller", MetricsAddr: "0", HealthAddr: "0"}
	opts.Watch.AllNamespaces = true
	mgr, err := tidemanager.New(cp.Config, opts, cp.Scheme, &sourcev1.HelmRepository{})
	if err != nil {
		return 0, err
	}
	skel, err := tidemanager.NewSkeleton(mgr, opts)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reconciler := &Reconciler{Client: mgr.GetClient(), Skeleton: skel, Storage: store,
		IndexMaxSize: indexMaxSize, Indexes: env.indexes}
	if err := reconciler.SetupWithManager(ctx, mgr, controller.Options{MaxConcurrentReconciles: 4}); err != nil {
		return 0, err
	}
	go func() { _ = artifactserver.Serve(ctx, addr, root) }()
	go func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "manager:", err)
		}
	}()
	return m.Run(), nil
}

// newHelmRepository builds a HelmRepository for url in ns; mutate adjusts it.
func newHelmRepository(ns, url string, mutate ...func(*sourcev1.HelmRepository)) *sourcev1.HelmRepository {
	obj := &sourcev1.HelmRepository{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "charts-", Namespace: ns},
		Spec: sourcev1.HelmRepositorySpec{
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

func createSecret(t *testing.T, ns, name string, data map[string]string) {
	t.Helper()
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, StringData: data})
}

func updateSecret(t *testing.T, ns, name string, data map[string]string) {
	t.Helper()
	ctx := context.Background()
	secret := &corev1.Secret{}
	if err := env.cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, secret); err != nil {
		t.Fatal(err)
	}
	secret.Data, secret.StringData = nil, data
	if err := env.cp.Client.Update(ctx, secret); err != nil {
		t.Fatal(err)
	}
}

// updateSpec changes obj's spec with mutate, retrying on conflicts.
func updateSpec(t *testing.T, obj *sourcev1.HelmRepository, mutate func(*sourcev1.HelmRepository)) {
	t.Helper()
	ctx := context.Background()
	NewWithT(t).Eventually(func() error {
		if err := env.cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		mutate(obj)
		return env.cp.Client.Update(ctx, obj)
	}, testkit.Timeout).Should(Succeed())
}

// waitReady waits until obj is Ready at its current generation.
func waitReady(t *testing.T, obj *sourcev1.HelmRepository) {
	t.Helper()
	testkit.WaitForCondition(t, env.cp.Client, obj, meta.ReadyCondition, metav1.ConditionTrue, "")
	NewWithT(t).Eventually(func() int64 {
		_ = env.cp.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		return obj.Status.ObservedGeneration
	}, testkit.Timeout).Should(Equal(obj.Generation))
}

// waitNotReady waits for Ready=False with the given reason.
func waitNotReady(t *testing.T, obj *sourcev1.HelmRepository, reason string) *metav1.Condition {
	t.Helper()
	testkit.WaitForCondition(t, env.cp.Client, obj, meta.ReadyCondition, metav1.ConditionFalse, reason)
	return conditions.Get(obj, meta.ReadyCondition)
}

// requestReconcile sets reconcile.fluxcd.io/requestedAt, as `flux
// reconcile` does; with wait, it waits until the controller handled it.
func requestReconcile(t *testing.T, obj *sourcev1.HelmRepository, wait bool) {
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
	if !wait {
		return
	}
	NewWithT(t).Eventually(func() string {
		_ = env.cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj)
		return obj.Status.LastHandledReconcileAt
	}, testkit.Timeout).Should(Equal(token))
}

// get fetches url as a consumer of artifacts does.
func get(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := env.http.Get(url)
	if err != nil {
		t.Fatalf("download %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("download %s: %s", url, resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// download fetches the artifact and checks the digest in status against
// the bytes served.
func download(t *testing.T, a *meta.Artifact) []byte {
	t.Helper()
	body := get(t, a.URL)
	if got := sha256Of(body); got != a.Digest {
		t.Fatalf("served artifact has digest %s, status says %s", got, a.Digest)
	}
	return body
}

func sha256Of(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// waitEvent waits until obj has an event with reason whose message
// contains text: events are recorded asynchronously.
func waitEvent(t *testing.T, obj client.Object, reason, text string) {
	t.Helper()
	NewWithT(t).Eventually(func() bool {
		var list corev1.EventList
		if err := env.cp.Client.List(context.Background(), &list, client.InNamespace(obj.GetNamespace())); err != nil {
			return false
		}
		for _, e := range list.Items {
			if e.InvolvedObject.Name == obj.GetName() && e.Reason == reason && containsText(e.Message, text) {
				return true
			}
		}
		return false
	}, testkit.Timeout, 100*time.Millisecond).Should(BeTrue(), "no %s event saying %q", reason, text)
}
