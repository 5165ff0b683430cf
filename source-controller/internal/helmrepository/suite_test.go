package helmrepository

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/helmindex"
	"github.com/tidegitops/tide/source-controller/internal/sourcetest"
	"github.com/tidegitops/tide/testkit"
	"sigs.k8s.io/controller-runtime/pkg/manager"
)

// indexMaxSize is the --helm-index-max-size of the tests' controller.
const indexMaxSize = 64 << 10

// env is shared by the tests of this package: one control plane, one
// manager running the real reconciler, real storage, the shared index
// cache and a real artifact server, as in a cluster.
var env struct {
	sourcetest.Env
	indexes *helmindex.Cache
}

func TestMain(m *testing.M) {
	sourcetest.Main(m, &env.Env, &sourcev1.HelmRepository{}, nil, func(ctx context.Context, mgr manager.Manager, skel *skeleton.Skeleton) error {
		env.indexes = helmindex.New(10, time.Hour)
		reconciler := &Reconciler{Client: mgr.GetClient(), Skeleton: skel, Storage: env.Store,
			IndexMaxSize: indexMaxSize, Indexes: env.indexes}
		return reconciler.SetupWithManager(ctx, mgr, controller.Options{MaxConcurrentReconciles: 4})
	})
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
	if err := env.CP.Client.Create(context.Background(), obj); err != nil {
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
	if err := env.CP.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, secret); err != nil {
		t.Fatal(err)
	}
	secret.Data, secret.StringData = nil, data
	if err := env.CP.Client.Update(ctx, secret); err != nil {
		t.Fatal(err)
	}
}

// updateSpec changes obj's spec with mutate, retrying on conflicts.
func updateSpec(t *testing.T, obj *sourcev1.HelmRepository, mutate func(*sourcev1.HelmRepository)) {
	t.Helper()
	ctx := context.Background()
	NewWithT(t).Eventually(func() error {
		if err := env.CP.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		mutate(obj)
		return env.CP.Client.Update(ctx, obj)
	}, testkit.Timeout).Should(Succeed())
}

// waitReady waits until obj is Ready at its current generation.
func waitReady(t *testing.T, obj *sourcev1.HelmRepository) {
	t.Helper()
	testkit.WaitForCondition(t, env.CP.Client, obj, meta.ReadyCondition, metav1.ConditionTrue, "")
	NewWithT(t).Eventually(func() int64 {
		_ = env.CP.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		return obj.Status.ObservedGeneration
	}, testkit.Timeout).Should(Equal(obj.Generation))
}

// waitNotReady waits for Ready=False with the given reason.
func waitNotReady(t *testing.T, obj *sourcev1.HelmRepository, reason string) *metav1.Condition {
	t.Helper()
	testkit.WaitForCondition(t, env.CP.Client, obj, meta.ReadyCondition, metav1.ConditionFalse, reason)
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
	if err := env.CP.Client.Patch(ctx, obj, patch); err != nil {
		t.Fatal(err)
	}
	if !wait {
		return
	}
	NewWithT(t).Eventually(func() string {
		_ = env.CP.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj)
		return obj.Status.LastHandledReconcileAt
	}, testkit.Timeout).Should(Equal(token))
}

// get fetches url as a consumer of artifacts does.
func get(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := env.HTTP.Get(url)
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
		if err := env.CP.Client.List(context.Background(), &list, client.InNamespace(obj.GetNamespace())); err != nil {
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
