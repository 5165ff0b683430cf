package gitrepository

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
	tidemanager "github.com/tidegitops/tide/skeleton/manager"
	"github.com/tidegitops/tide/source-controller/internal/sourcetest"
	"github.com/tidegitops/tide/testkit"
	"sigs.k8s.io/controller-runtime/pkg/manager"
)

// env is shared by the tests of this package: one control plane, one
// manager running the real reconciler, real storage and a real artifact
// server, as in a cluster.
var env struct {
	sourcetest.Env
	cache client.Client
}

func TestMain(m *testing.M) {
	sourcetest.Main(m, &env.Env, &sourcev1.GitRepository{}, func(opts *tidemanager.Options) {
		// Objects of a test shard are another manager's (see startShard).
		opts.Watch.LabelSelector = "!" + testShardLabel
	}, func(ctx context.Context, mgr manager.Manager, skel *skeleton.Skeleton) error {
		env.cache = mgr.GetClient()
		reconciler := &Reconciler{Client: mgr.GetClient(), Skeleton: skel, Storage: env.Store, DependencyRequeue: 2 * time.Second}
		return reconciler.SetupWithManager(ctx, mgr, controller.Options{MaxConcurrentReconciles: 4})
	})
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
	if err := env.CP.Client.Create(context.Background(), obj); err != nil {
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
	testkit.WaitForCondition(t, env.CP.Client, obj, meta.ReadyCondition, metav1.ConditionTrue, "")
	NewWithT(t).Eventually(func() int64 {
		_ = env.CP.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		return obj.Status.ObservedGeneration
	}, testkit.Timeout).Should(Equal(obj.Generation))
}

// waitNotReady waits for Ready=False with the given reason.
func waitNotReady(t *testing.T, obj *sourcev1.GitRepository, reason string) *metav1.Condition {
	t.Helper()
	testkit.WaitForCondition(t, env.CP.Client, obj, meta.ReadyCondition, metav1.ConditionFalse, reason)
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
	if err := env.CP.Client.Patch(ctx, obj, patch); err != nil {
		t.Fatal(err)
	}
	NewWithT(t).Eventually(func() string {
		_ = env.CP.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj)
		return obj.Status.LastHandledReconcileAt
	}, testkit.Timeout).Should(Equal(token))
}

// download fetches the artifact from its URL, as the kustomize-controller
// does, and checks the digest in status against the bytes served.
func download(t *testing.T, a *meta.Artifact) []byte {
	t.Helper()
	resp, err := env.HTTP.Get(a.URL)
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
	if err := env.CP.Client.List(context.Background(), &list, client.InNamespace(obj.GetNamespace())); err != nil {
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
	if err := env.CP.Client.Patch(context.Background(), obj, patch); err != nil {
		t.Fatal(err)
	}
}
