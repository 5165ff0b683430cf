package helmchart

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
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
	"github.com/tidegitops/tide/source-controller/internal/chartbuild"
	"github.com/tidegitops/tide/source-controller/internal/sourcetest"
	"github.com/tidegitops/tide/testkit"
	"sigs.k8s.io/controller-runtime/pkg/manager"
)

// env is shared by the tests of this package: one control plane, one
// manager running the real reconciler, real storage and a real artifact
// server, as in a cluster. No GitRepository reconciler runs: tests write
// GitRepository artifacts into storage and status themselves.
var env struct {
	sourcetest.Env
	charts *HTTPCharts // the reconciler's, so a benchmark can swap its cache
}

// testLimits keep charts small, so that the size caps can be tested.
var testLimits = chartbuild.Limits{ChartSize: 64 << 10, FileSize: 16 << 10}

func TestMain(m *testing.M) {
	sourcetest.Main(m, &env.Env, &sourcev1.HelmChart{}, nil, func(ctx context.Context, mgr manager.Manager, skel *skeleton.Skeleton) error {
		reconciler := &Reconciler{
			Client: mgr.GetClient(), Skeleton: skel, Storage: env.Store, DependencyRequeue: time.Second,
			Limits: testLimits, HTTP: testHTTPRepositories(mgr.GetClient(), env.Store),
		}
		env.charts = reconciler.HTTP.(*HTTPCharts)
		return reconciler.SetupWithManager(ctx, mgr, controller.Options{MaxConcurrentReconciles: 4})
	})
}

func create(t testing.TB, obj client.Object) {
	t.Helper()
	if err := env.CP.Client.Create(context.Background(), obj); err != nil {
		t.Fatalf("create %s: %v", obj.GetName(), err)
	}
}

// revisions makes each pushed Git revision unique.
var revisions atomic.Int64

// gitSource creates a GitRepository whose artifact holds files, as the
// GitRepository reconciler would have stored it.
func gitSource(t *testing.T, ns string, files map[string]string) *sourcev1.GitRepository {
	t.Helper()
	repo := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "repo-", Namespace: ns},
		Spec:       sourcev1.GitRepositorySpec{URL: "https://git.example.com/charts.git", Interval: metav1.Duration{Duration: time.Hour}},
	}
	create(t, repo)
	push(t, repo, files)
	return repo
}

// push stores files as a new commit's artifact and records it in the
// GitRepository's status.
func push(t *testing.T, repo *sourcev1.GitRepository, files map[string]string) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%s/%d", repo.Namespace, repo.Name, revisions.Add(1))))
	hash := hex.EncodeToString(sum[:20])
	a, err := env.Store.NewArtifact(sourcev1.GitRepositoryKind, repo.Namespace, repo.Name, "main@sha1:"+hash, hash+".tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Store.Archive(&a, dir, nil); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(repo.DeepCopy())
	repo.Status.Artifact = &a
	if err := env.CP.Client.Status().Patch(context.Background(), repo, patch); err != nil {
		t.Fatal(err)
	}
}

// newChart builds a HelmChart of the chart at path (or named chart) in
// source kind/name; mutate adjusts it.
func newChart(ns, kind, name, chart string, mutate ...func(*sourcev1.HelmChart)) *sourcev1.HelmChart {
	obj := &sourcev1.HelmChart{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "chart-", Namespace: ns},
		Spec: sourcev1.HelmChartSpec{
			Chart:     chart,
			SourceRef: sourcev1.LocalHelmChartSourceReference{Kind: kind, Name: name},
			Interval:  metav1.Duration{Duration: time.Hour},
		},
	}
	for _, m := range mutate {
		m(obj)
	}
	return obj
}

// waitReady waits until obj is Ready at its current generation.
func waitReady(t *testing.T, obj *sourcev1.HelmChart) {
	t.Helper()
	testkit.WaitForCondition(t, env.CP.Client, obj, meta.ReadyCondition, metav1.ConditionTrue, "")
	NewWithT(t).Eventually(func() int64 {
		_ = env.CP.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		return obj.Status.ObservedGeneration
	}, testkit.Timeout).Should(Equal(obj.Generation))
}

// waitNotReady waits for Ready=False with the given reason at the current
// generation and returns the condition.
func waitNotReady(t *testing.T, obj *sourcev1.HelmChart, reason string) *metav1.Condition {
	t.Helper()
	testkit.WaitForCondition(t, env.CP.Client, obj, meta.ReadyCondition, metav1.ConditionFalse, reason)
	return conditions.Get(obj, meta.ReadyCondition)
}

// waitVersion waits until the artifact is the given chart version.
func waitVersion(t *testing.T, obj *sourcev1.HelmChart, version string) {
	t.Helper()
	NewWithT(t).Eventually(func() string {
		_ = env.CP.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		if obj.Status.Artifact == nil || !conditions.IsReady(obj) {
			return ""
		}
		return obj.Status.Artifact.Revision
	}, testkit.Timeout).Should(Equal(version))
}

// update changes obj with mutate and writes it.
func update(t *testing.T, obj client.Object, mutate func()) {
	t.Helper()
	ctx := context.Background()
	NewWithT(t).Eventually(func() error {
		if err := env.CP.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		mutate()
		return env.CP.Client.Update(ctx, obj)
	}, testkit.Timeout).Should(Succeed())
}

// download fetches the artifact from its URL, as the helm-controller does,
// and checks the digest in status against the bytes served.
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

// waitEventReason waits until obj has an event with reason.
func waitEventReason(t *testing.T, obj client.Object, reason string) {
	t.Helper()
	NewWithT(t).Eventually(func() []string {
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
	}, testkit.Timeout, 100*time.Millisecond).Should(ContainElement(reason), "no %s event", reason)
}
