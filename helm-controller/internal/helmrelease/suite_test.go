package helmrelease

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"
	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/clusterkit/access"
	"github.com/tidegitops/tide/helm-controller/chartfetch"
	"github.com/tidegitops/tide/helm-controller/internal/charttemplate"
	"github.com/tidegitops/tide/helm-controller/internal/release"
	tidemanager "github.com/tidegitops/tide/skeleton/manager"
	"github.com/tidegitops/tide/testkit"
)

// env is what every test of the package shares: one control plane, the
// reconciler running in a manager, and a server for chart artifacts.
var env struct {
	cp        *testkit.ControlPlane
	artifacts *artifactServer
	getter    *release.Getter
	// watches are the watch requests the release engine made.
	watches watchLog
}

// watchLog records the URLs of the watch requests made through a config.
type watchLog struct {
	mu   sync.Mutex
	urls []string
}

func (l *watchLog) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if req.URL.Query().Get("watch") == "true" {
			l.mu.Lock()
			l.urls = append(l.urls, req.URL.String())
			l.mu.Unlock()
		}
		return rt.RoundTrip(req)
	})
}

// matching returns the recorded URLs that contain part.
func (l *watchLog) matching(part string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, u := range l.urls {
		if strings.Contains(u, part) {
			out = append(out, u)
		}
	}
	return out
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

func TestMain(m *testing.M) {
	code, err := runSuite(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runSuite(m *testing.M) (int, error) {
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.UseDevMode(true), zap.Level(zapLevel())))
	cp, err := testkit.StartControlPlane()
	if err != nil {
		return 0, err
	}
	defer cp.Stop()
	if err := helmv2.AddToScheme(cp.Scheme); err != nil {
		return 0, err
	}
	if err := apiextensionsv1.AddToScheme(cp.Scheme); err != nil {
		return 0, err
	}
	env.cp = cp
	env.artifacts = newArtifactServer()
	defer env.artifacts.Close()
	env.getter = release.NewGetter(cp.Config)

	opts := tidemanager.Options{Name: "helm-controller", MetricsAddr: "0", HealthAddr: "0"}
	opts.Watch.AllNamespaces = true
	opts.Watch.ConfigsLabelSelector = meta.LabelKeyWatch + "=" + meta.LabelValueWatchEnabled // Flux's default
	opts.WatchConfigs = true
	mgr, err := tidemanager.New(cp.Config, opts, cp.Scheme, &helmv2.HelmRelease{})
	if err != nil {
		return 0, err
	}
	skel, err := tidemanager.NewSkeleton(mgr, opts)
	if err != nil {
		return 0, err
	}
	// The release engine's requests are watched (see TestWaitsReadOnlyTheReleaseObjects).
	helmConfig := rest.CopyConfig(cp.Config)
	helmConfig.Wrap(env.watches.wrap)
	reconciler := &Reconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Skeleton:  skel,
		Clusters:  release.NewClusters(helmConfig, mgr.GetAPIReader(), "", access.KubeConfigOptions{}),
		Charts:    &chartfetch.Fetcher{},
		Templates: charttemplate.New(mgr.GetClient(), "helm-controller", false),
		Options:   Options{DependencyRequeue: time.Second, WatchConfigs: true},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
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

// zapLevel keeps the controller's logs quiet unless HELM_TEST_DEBUG is set.
func zapLevel() zapcore.Level {
	if os.Getenv("HELM_TEST_DEBUG") != "" {
		return zapcore.DebugLevel
	}
	return zapcore.ErrorLevel
}

// artifactServer serves the chart archives the tests make, as the
// source-controller serves artifacts.
type artifactServer struct {
	*httptest.Server
	mu    sync.Mutex
	files map[string][]byte
}

func newArtifactServer() *artifactServer {
	s := &artifactServer{files: map[string][]byte{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		data, ok := s.files[r.URL.Path]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	}))
	return s
}

// publish serves data at path and returns the artifact a source would
// write in its status for it.
func (s *artifactServer) publish(path, revision string, data []byte) *meta.Artifact {
	s.mu.Lock()
	s.files[path] = data
	s.mu.Unlock()
	sum := sha256.Sum256(data)
	return &meta.Artifact{
		Path: strings.TrimPrefix(path, "/"), URL: s.URL + path, Revision: revision,
		Digest: "sha256:" + hex.EncodeToString(sum[:]), LastUpdateTime: metav1.Now(), Size: ptrTo(int64(len(data))),
	}
}

func ptrTo[T any](v T) *T { return &v }

// newHelmChart creates a HelmChart with a ready artifact of c, as the
// source-controller would, and returns it.
func newHelmChart(t *testing.T, ns, name string, c testChart) *sourcev1.HelmChart {
	t.Helper()
	hc := &sourcev1.HelmChart{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: sourcev1.HelmChartSpec{
			Chart:     c.name,
			SourceRef: sourcev1.LocalHelmChartSourceReference{Kind: "HelmRepository", Name: "charts"},
			Interval:  metav1.Duration{Duration: time.Hour},
		},
	}
	if err := env.cp.Client.Create(context.Background(), hc); err != nil {
		t.Fatal(err)
	}
	setChartArtifact(t, hc, c)
	return hc
}

// setChartArtifact publishes c as hc's artifact, Ready, as the
// source-controller does for a new chart version.
func setChartArtifact(t *testing.T, hc *sourcev1.HelmChart, c testChart) {
	t.Helper()
	data := c.archive(t)
	path := fmt.Sprintf("/helmchart/%s/%s/%s-%s.tgz", hc.Namespace, hc.Name, c.name, c.version)
	setArtifact(t, hc, env.artifacts.publish(path, c.version, data))
}

// setArtifact writes artifact into src's status with Ready=True.
func setArtifact(t *testing.T, src interface {
	client.Object
	conditions.Setter
}, artifact *meta.Artifact) {
	t.Helper()
	ctx := context.Background()
	NewWithT(t).Eventually(func() error {
		if err := env.cp.Client.Get(ctx, client.ObjectKeyFromObject(src), src); err != nil {
			return err
		}
		switch o := src.(type) {
		case *sourcev1.HelmChart:
			o.Status.Artifact = artifact
		case *sourcev1.OCIRepository:
			o.Status.Artifact = artifact
		}
		conditions.MarkTrue(src, meta.ReadyCondition, meta.SucceededReason, "stored artifact: revision '%s'", artifact.Revision)
		return env.cp.Client.Status().Update(ctx, src)
	}, testkit.Timeout).Should(Succeed())
}

// newRelease returns a HelmRelease of the HelmChart chart in ns, for the
// test to adjust and create.
func newRelease(ns, name, chart string) *helmv2.HelmRelease {
	return &helmv2.HelmRelease{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: helmv2.HelmReleaseSpec{
			Interval: metav1.Duration{Duration: time.Hour},
			ChartRef: &helmv2.CrossNamespaceSourceReference{Kind: sourcev1.HelmChartKind, Name: chart},
			Timeout:  &metav1.Duration{Duration: 30 * time.Second},
		},
	}
}

func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := env.cp.Client.Create(context.Background(), obj); err != nil {
		t.Fatalf("create %s: %v", obj.GetName(), err)
	}
}

// jsonValues turns a YAML/JSON document into spec.values.
func jsonValues(t *testing.T, doc string) *apiextensionsv1.JSON {
	t.Helper()
	data, err := yamlToJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &apiextensionsv1.JSON{Raw: data}
}

// waitReady waits for Ready with status and reason, and returns the
// HelmRelease as last read.
func waitReady(t *testing.T, hr *helmv2.HelmRelease, status metav1.ConditionStatus, reason string) *helmv2.HelmRelease {
	t.Helper()
	testkit.WaitForCondition(t, env.cp.Client, hr, meta.ReadyCondition, status, reason)
	return hr
}

// update changes hr with mutate, retrying on conflicts.
func update(t *testing.T, hr *helmv2.HelmRelease, mutate func(*helmv2.HelmRelease)) {
	t.Helper()
	ctx := context.Background()
	NewWithT(t).Eventually(func() error {
		if err := env.cp.Client.Get(ctx, client.ObjectKeyFromObject(hr), hr); err != nil {
			return err
		}
		mutate(hr)
		return env.cp.Client.Update(ctx, hr)
	}, testkit.Timeout).Should(Succeed())
}

// configMapData returns the data of a ConfigMap, nil when it does not exist.
func configMapData(t *testing.T, ns, name string) map[string]string {
	t.Helper()
	cm := &corev1.ConfigMap{}
	if err := env.cp.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, cm); err != nil {
		return nil
	}
	return cm.Data
}

// eventsOf lists "type reason: message" of the events of obj, and their
// annotations.
func eventsOf(t *testing.T, obj client.Object) ([]string, []map[string]string) {
	t.Helper()
	var list corev1.EventList
	if err := env.cp.Client.List(context.Background(), &list, client.InNamespace(obj.GetNamespace())); err != nil {
		t.Fatal(err)
	}
	var out []string
	var annotations []map[string]string
	for _, e := range list.Items {
		if e.InvolvedObject.Name == obj.GetName() && e.InvolvedObject.Kind == helmv2.HelmReleaseKind {
			out = append(out, e.Type+" "+e.Reason+": "+e.Message)
			annotations = append(annotations, e.Annotations)
		}
	}
	return out, annotations
}

// waitEvent waits for an event of obj whose text contains all parts.
func waitEvent(t *testing.T, obj client.Object, parts ...string) {
	t.Helper()
	matchers := make([]types.GomegaMatcher, len(parts))
	for i, p := range parts {
		matchers[i] = ContainSubstring(p)
	}
	NewWithT(t).Eventually(func() []string { e, _ := eventsOf(t, obj); return e }, testkit.Timeout).
		Should(ContainElement(SatisfyAll(matchers...)))
}

// requestReconcile sets reconcile.fluxcd.io/requestedAt, as `flux
// reconcile` does.
func requestReconcile(t *testing.T, hr *helmv2.HelmRelease) {
	t.Helper()
	token := time.Now().Format(time.RFC3339Nano)
	update(t, hr, func(hr *helmv2.HelmRelease) {
		if hr.Annotations == nil {
			hr.Annotations = map[string]string{}
		}
		hr.Annotations[meta.ReconcileRequestAnnotation] = token
	})
	NewWithT(t).Eventually(func() string {
		_ = env.cp.Client.Get(context.Background(), client.ObjectKeyFromObject(hr), hr)
		return hr.Status.LastHandledReconcileAt
	}, testkit.Timeout).Should(Equal(token))
}
