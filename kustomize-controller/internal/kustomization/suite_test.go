package kustomization

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/metadata"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/kustomize-controller/internal/artifact"
	"github.com/tidegitops/tide/kustomize-controller/internal/drift"
	tidemanager "github.com/tidegitops/tide/skeleton/manager"
	"github.com/tidegitops/tide/testkit"
)

// maxArtifactSize is the suite's --max-artifact-size: small, so that the
// oversized-artifact test stays quick.
const maxArtifactSize = 1 << 20

// env is shared by the tests of this package: one control plane and one
// manager running the real reconciler with the controller's options, as in a
// cluster; artifacts are served by a test HTTP server, as the
// source-controller would serve them.
var env struct {
	cp        *testkit.ControlPlane
	artifacts *artifactServer
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
	env.artifacts = newArtifactServer()
	defer env.artifacts.Close()

	cacheDir, err := os.MkdirTemp("", "kustomize-artifacts-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(cacheDir)
	cache, err := artifact.NewCache(cacheDir, artifact.Options{MaxSize: maxArtifactSize})
	if err != nil {
		return 0, err
	}

	opts := tidemanager.Options{Name: "kustomize-controller", MetricsAddr: "0", HealthAddr: "0"}
	opts.Watch.AllNamespaces = true
	opts.Watch.ConfigsLabelSelector = meta.LabelKeyWatch + "=" + meta.LabelValueWatchEnabled // Flux's default
	opts.WatchConfigs = true
	// Kustomizations labelled for a shard belong to another controller,
	// as in Flux's sharding guide: the tests of dependencies across shards
	// write their status by hand.
	opts.Watch.LabelSelector = "!" + shardLabel
	mgr, err := tidemanager.New(cp.Config, opts, cp.Scheme, &kustomizev1.Kustomization{})
	if err != nil {
		return 0, err
	}
	skel, err := tidemanager.NewSkeleton(mgr, opts)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	md, err := metadata.NewForConfig(cp.Config)
	if err != nil {
		return 0, err
	}
	reconciler := &Reconciler{
		Drift:          drift.NewWatcher(ctx, md, mgr.GetRESTMapper(), "kustomize-controller"),
		Client:         mgr.GetClient(),
		APIReader:      mgr.GetAPIReader(),
		Skeleton:       skel,
		Artifacts:      cache,
		Clusters:       NewClusters(cp.Config, mgr.GetHTTPClient(), mgr.GetRESTMapper(), cp.Scheme, mgr.GetClient(), ""),
		HealthInterval: 200 * time.Millisecond,
		Options: Options{
			FieldManager:         "kustomize-controller",
			DependencyRequeue:    time.Second,
			NoCrossNamespaceRefs: true,
			NoRemoteBases:        true,
			DriftSafetyFactor:    10,
		},
	}
	if err := reconciler.SetupWithManager(ctx, mgr, controller.Options{MaxConcurrentReconciles: 4}); err != nil {
		return 0, err
	}
	go func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "manager:", err)
		}
	}()
	return m.Run(), nil
}

// artifactServer serves tarballs the tests make, as the source-controller
// serves artifacts, and counts the downloads.
type artifactServer struct {
	*httptest.Server
	mu        sync.Mutex
	files     map[string][]byte
	downloads map[string]int
}

func newArtifactServer() *artifactServer {
	s := &artifactServer{files: map[string][]byte{}, downloads: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		body, ok := s.files[r.URL.Path]
		s.downloads[r.URL.Path]++
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(body)
	}))
	return s
}

// publish serves body and returns the artifact describing it.
func (s *artifactServer) publish(revision string, body []byte) meta.Artifact {
	sum := sha256.Sum256(body)
	hexSum := hex.EncodeToString(sum[:])
	path := "/gitrepository/test/" + hexSum + ".tar.gz"
	s.mu.Lock()
	s.files[path] = body
	s.mu.Unlock()
	return meta.Artifact{
		Path: strings.TrimPrefix(path, "/"), URL: s.URL + path, Revision: revision,
		Digest: "sha256:" + hexSum, LastUpdateTime: metav1.Now(), Size: ptr(int64(len(body))),
	}
}

func (s *artifactServer) downloadsOf(a meta.Artifact) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.downloads[strings.TrimPrefix(a.URL, s.URL)]
}

func ptr[T any](v T) *T { return &v }

// tarball packs files (path → content) into a .tar.gz, sorted by path.
func tarball(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var entries []tarEntry
	for name, content := range files {
		entries = append(entries, tarEntry{Header: tar.Header{Name: name, Mode: 0o644, Typeflag: tar.TypeReg}, Body: content})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Header.Name < entries[j].Header.Name })
	return rawTarball(t, entries...)
}

// tarEntry is a hand-made archive entry.
type tarEntry = testkit.TarEntry

// rawTarball packs entries as given, for archives a source-controller would
// never produce (escaping paths, links).
func rawTarball(t testing.TB, entries ...tarEntry) []byte {
	t.Helper()
	return testkit.TarGz(t, entries...)
}

// revisionCounter makes distinct revisions: main@sha1:<40 hex>.
var revisionCounter struct {
	sync.Mutex
	n int
}

func nextRevision() string {
	revisionCounter.Lock()
	defer revisionCounter.Unlock()
	revisionCounter.n++
	return fmt.Sprintf("main@sha1:%040x", revisionCounter.n)
}

// newSource creates a GitRepository in ns whose status carries the artifact
// of files, as the source-controller would write it.
func newSource(t *testing.T, ns string, files map[string]string) *sourcev1.GitRepository {
	t.Helper()
	repo := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "repo-", Namespace: ns},
		Spec: sourcev1.GitRepositorySpec{
			URL: "https://git.example.com/fleet.git", Interval: metav1.Duration{Duration: time.Hour},
		},
	}
	create(t, repo)
	setArtifact(t, repo, env.artifacts.publish(nextRevision(), tarball(t, files)))
	return repo
}

// setArtifact writes a new artifact into the source's status, as a new
// commit would.
func setArtifact(t *testing.T, repo *sourcev1.GitRepository, a meta.Artifact) {
	t.Helper()
	ctx := context.Background()
	NewWithT(t).Eventually(func() error {
		if err := env.cp.Client.Get(ctx, client.ObjectKeyFromObject(repo), repo); err != nil {
			return err
		}
		repo.Status.Artifact = &a
		conditions.MarkTrue(repo, meta.ReadyCondition, meta.SucceededReason, "stored artifact for revision '%s'", a.Revision)
		return env.cp.Client.Status().Update(ctx, repo)
	}, testkit.Timeout).Should(Succeed())
}

// commit publishes files as the source's next revision and returns it.
func commit(t *testing.T, repo *sourcev1.GitRepository, files map[string]string) meta.Artifact {
	t.Helper()
	a := env.artifacts.publish(nextRevision(), tarball(t, files))
	setArtifact(t, repo, a)
	return a
}

// newKustomization creates a Kustomization of repo in its namespace;
// mutate adjusts the spec first.
func newKustomization(t *testing.T, repo *sourcev1.GitRepository, mutate ...func(*kustomizev1.Kustomization)) *kustomizev1.Kustomization {
	t.Helper()
	ks := &kustomizev1.Kustomization{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "ks-", Namespace: repo.Namespace},
		Spec: kustomizev1.KustomizationSpec{
			Interval: metav1.Duration{Duration: time.Hour},
			Timeout:  &metav1.Duration{Duration: 30 * time.Second},
			Prune:    true,
			// The manifests carry no namespace, as an app folder often does.
			TargetNamespace: repo.Namespace,
			SourceRef: kustomizev1.CrossNamespaceSourceReference{
				Kind: sourcev1.GitRepositoryKind, Name: repo.Name,
			},
		},
	}
	for _, m := range mutate {
		m(ks)
	}
	create(t, ks)
	return ks
}

func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := env.cp.Client.Create(context.Background(), obj); err != nil {
		t.Fatalf("create %s: %v", obj.GetName(), err)
	}
}

// waitApplied waits until ks is Ready with the artifact's revision applied.
func waitApplied(t *testing.T, ks *kustomizev1.Kustomization, a meta.Artifact) {
	t.Helper()
	NewWithT(t).Eventually(func() string {
		_ = env.cp.Client.Get(context.Background(), client.ObjectKeyFromObject(ks), ks)
		ready := conditions.Get(ks, meta.ReadyCondition)
		if ready == nil {
			return "no Ready condition"
		}
		return fmt.Sprintf("%s %s %s applied=%s", ready.Status, ready.Reason, ready.Message, ks.Status.LastAppliedRevision)
	}, testkit.Timeout, 100*time.Millisecond).Should(Equal(fmt.Sprintf("True %s Applied revision: %s applied=%s",
		kustomizev1.ReconciliationSucceededReason, a.Revision, a.Revision)))
}

// waitFailed waits for Ready=False with reason and returns the message.
func waitFailed(t *testing.T, ks *kustomizev1.Kustomization, reason string) string {
	t.Helper()
	testkit.WaitForCondition(t, env.cp.Client, ks, meta.ReadyCondition, metav1.ConditionFalse, reason)
	return conditions.GetMessage(ks, meta.ReadyCondition)
}

// eventMessages lists type, reason and message of the events for obj.
func eventMessages(t *testing.T, obj client.Object) []string {
	t.Helper()
	var list corev1.EventList
	if err := env.cp.Client.List(context.Background(), &list, client.InNamespace(obj.GetNamespace())); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range list.Items {
		if e.InvolvedObject.Name == obj.GetName() {
			out = append(out, e.Type+" "+e.Reason+": "+e.Message)
		}
	}
	return out
}

// waitEvent waits for an event of obj whose text contains all parts.
func waitEvent(t *testing.T, obj client.Object, parts ...string) {
	t.Helper()
	NewWithT(t).Eventually(func() []string { return eventMessages(t, obj) }, testkit.Timeout).
		Should(ContainElement(SatisfyAll(containsAll(parts)...)))
}

func containsAll(parts []string) []types.GomegaMatcher {
	ms := make([]types.GomegaMatcher, len(parts))
	for i, p := range parts {
		ms[i] = ContainSubstring(p)
	}
	return ms
}

// requestReconcile sets reconcile.fluxcd.io/requestedAt, as `flux reconcile`
// does, and waits until the controller reports it handled.
func requestReconcile(t *testing.T, ks *kustomizev1.Kustomization) {
	t.Helper()
	ctx := context.Background()
	token := time.Now().Format(time.RFC3339Nano)
	NewWithT(t).Eventually(func() error {
		if err := env.cp.Client.Get(ctx, client.ObjectKeyFromObject(ks), ks); err != nil {
			return err
		}
		patch := client.MergeFrom(ks.DeepCopy())
		if ks.Annotations == nil {
			ks.Annotations = map[string]string{}
		}
		ks.Annotations[meta.ReconcileRequestAnnotation] = token
		return env.cp.Client.Patch(ctx, ks, patch)
	}, testkit.Timeout).Should(Succeed())
	NewWithT(t).Eventually(func() string {
		_ = env.cp.Client.Get(ctx, client.ObjectKeyFromObject(ks), ks)
		return ks.Status.LastHandledReconcileAt
	}, testkit.Timeout).Should(Equal(token))
}

// updateSpec changes the Kustomization's spec and waits until the new
// generation is applied.
func updateSpec(t *testing.T, ks *kustomizev1.Kustomization, change func(*kustomizev1.KustomizationSpec)) {
	t.Helper()
	ctx := context.Background()
	g := NewWithT(t)
	g.Eventually(func() error {
		if err := env.cp.Client.Get(ctx, client.ObjectKeyFromObject(ks), ks); err != nil {
			return err
		}
		change(&ks.Spec)
		return env.cp.Client.Update(ctx, ks)
	}, testkit.Timeout).Should(Succeed())
	g.Eventually(func() bool {
		_ = env.cp.Client.Get(ctx, client.ObjectKeyFromObject(ks), ks)
		return ks.Status.ObservedGeneration == ks.Generation && conditions.IsReady(ks)
	}, testkit.Timeout).Should(BeTrue(), "generation %d applied", ks.Generation)
}

// configMap reads a ConfigMap, or returns nil when it does not exist.
func configMap(t *testing.T, ns, name string) *corev1.ConfigMap {
	t.Helper()
	cm := &corev1.ConfigMap{}
	if err := env.cp.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, cm); err != nil {
		return nil
	}
	return cm
}

// configMapYAML is a ConfigMap manifest with one data key.
func configMapYAML(name, value string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  key: %q\n", name, value)
}

func keyOf(obj client.Object) client.ObjectKey { return client.ObjectKeyFromObject(obj) }

func keyIn(ns, name string) client.ObjectKey { return client.ObjectKey{Namespace: ns, Name: name} }

// waitFailedWithin is waitFailed for failures that take longer than the
// usual wait, such as a health-check timeout.
func waitFailedWithin(t *testing.T, ks *kustomizev1.Kustomization, reason string, within time.Duration) string {
	t.Helper()
	NewWithT(t).Eventually(func() string {
		_ = env.cp.Client.Get(context.Background(), keyOf(ks), ks)
		if c := conditions.Get(ks, meta.ReadyCondition); c != nil && c.Status == metav1.ConditionFalse {
			return c.Reason
		}
		return ""
	}, within, 200*time.Millisecond).Should(Equal(reason))
	return conditions.GetMessage(ks, meta.ReadyCondition)
}
