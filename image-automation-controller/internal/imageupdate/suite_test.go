package imageupdate

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	tidemanager "github.com/tidegitops/tide/skeleton/manager"
	"github.com/tidegitops/tide/testkit"
)

// env is shared by the tests of this package: one control plane and a
// manager running the real reconciler. ImagePolicy status is written by the
// tests (as the ImagePolicy reconciler would), so no registry is needed.
var env struct {
	cp     *testkit.ControlPlane
	cached client.Reader
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
	if err := imagev1.AddToScheme(cp.Scheme); err != nil {
		return 0, err
	}
	opts := tidemanager.Options{Name: "image-automation-controller", MetricsAddr: "0", HealthAddr: "0", Concurrent: 4}
	opts.Watch.AllNamespaces = true
	opts.Watch.LabelSelector = "!" + shardLabel // the strict shard's automations are not ours
	mgr, err := tidemanager.New(cp.Config, opts, cp.Scheme, &imagev1.ImageUpdateAutomation{})
	if err != nil {
		return 0, err
	}
	skel, err := tidemanager.NewSkeleton(mgr, opts)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &Reconciler{Client: mgr.GetClient(), Skeleton: skel}
	if err := r.SetupWithManager(ctx, mgr, controller.Options{MaxConcurrentReconciles: 4}); err != nil {
		return 0, err
	}
	env.cp, env.cached = cp, mgr.GetClient()
	go func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "manager:", err)
		}
	}()
	return m.Run(), nil
}

// timeout is how long a test waits for what a user would wait for: a clone
// and a push on a loaded machine.
const timeout = 60 * time.Second

func create(t testing.TB, obj client.Object) {
	t.Helper()
	testkit.CreateAndWait(t, env.cp.Client, env.cached, obj)
}

// update changes obj, retrying on conflicts with the controller.
func update(t testing.TB, obj client.Object, change func()) {
	t.Helper()
	NewWithT(t).Eventually(func() error {
		if err := env.cp.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		change()
		return env.cp.Client.Update(context.Background(), obj)
	}, timeout).Should(Succeed())
}

// newPolicy creates an ImagePolicy whose status says it chose image:tag, as
// the ImagePolicy reconciler would write it.
func newPolicy(t testing.TB, ns, name, image, tag string, labels map[string]string) *imagev1.ImagePolicy {
	t.Helper()
	p := &imagev1.ImagePolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
		Spec: imagev1.ImagePolicySpec{
			ImageRepositoryRef: meta.NamespacedObjectReference{Name: name},
			Policy:             imagev1.ImagePolicyChoice{SemVer: &imagev1.SemVerPolicy{Range: ">=0.0.0"}},
		},
	}
	if err := env.cp.Client.Create(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	setLatest(t, p, image, tag, "")
	return p
}

// setLatest writes the policy's status.latestRef.
func setLatest(t testing.TB, p *imagev1.ImagePolicy, image, tag, digest string) {
	t.Helper()
	NewWithT(t).Eventually(func() error {
		if err := env.cp.Client.Get(context.Background(), client.ObjectKeyFromObject(p), p); err != nil {
			return err
		}
		p.Status.LatestRef = &imagev1.ImageRef{Name: image, Tag: tag, Digest: digest}
		return env.cp.Client.Status().Update(context.Background(), p)
	}, timeout).Should(Succeed())
	NewWithT(t).Eventually(func() string {
		seen := &imagev1.ImagePolicy{}
		if err := env.cached.Get(context.Background(), client.ObjectKeyFromObject(p), seen); err != nil || seen.Status.LatestRef == nil {
			return ""
		}
		return seen.Status.LatestRef.Tag + seen.Status.LatestRef.Digest
	}, timeout).Should(Equal(tag + digest))
}

func newGitRepository(t testing.TB, ns, url string, mutate ...func(*sourcev1.GitRepository)) *sourcev1.GitRepository {
	t.Helper()
	repo := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{Name: "fleet", Namespace: ns},
		Spec: sourcev1.GitRepositorySpec{
			URL: url, Interval: metav1.Duration{Duration: time.Hour},
			Reference: &sourcev1.GitRepositoryRef{Branch: "master"},
			Timeout:   &metav1.Duration{Duration: 20 * time.Second},
		},
	}
	for _, m := range mutate {
		m(repo)
	}
	create(t, repo)
	return repo
}

func newAutomation(ns string, mutate ...func(*imagev1.ImageUpdateAutomation)) *imagev1.ImageUpdateAutomation {
	a := &imagev1.ImageUpdateAutomation{
		ObjectMeta: metav1.ObjectMeta{Name: "auto", Namespace: ns},
		Spec: imagev1.ImageUpdateAutomationSpec{
			SourceRef: imagev1.CrossNamespaceSourceReference{Kind: "GitRepository", Name: "fleet"},
			Interval:  metav1.Duration{Duration: time.Hour},
			GitSpec: &imagev1.GitSpec{
				Commit: imagev1.CommitSpec{Author: imagev1.CommitUser{Name: "Tide Bot", Email: "bot@tide.invalid"}},
			},
			Update: &imagev1.UpdateStrategy{Strategy: imagev1.UpdateStrategySetters},
		},
	}
	for _, m := range mutate {
		m(a)
	}
	return a
}

// waitReady waits for Ready with status and reason, and returns the object.
func waitReady(t *testing.T, a *imagev1.ImageUpdateAutomation, status metav1.ConditionStatus, reason string) *imagev1.ImageUpdateAutomation {
	t.Helper()
	got := &imagev1.ImageUpdateAutomation{}
	NewWithT(t).Eventually(func() error {
		if err := env.cp.Client.Get(context.Background(), client.ObjectKeyFromObject(a), got); err != nil {
			return err
		}
		for _, c := range got.Status.Conditions {
			if c.Type == meta.ReadyCondition && got.Status.ObservedGeneration == got.Generation {
				if c.Status == status && c.Reason == reason {
					return nil
				}
				return fmt.Errorf("Ready is %s/%s: %s", c.Status, c.Reason, c.Message)
			}
		}
		return fmt.Errorf("no Ready condition for generation %d yet", got.Generation)
	}, timeout, 200*time.Millisecond).Should(Succeed())
	return got
}

func readyMessage(a *imagev1.ImageUpdateAutomation) string {
	for _, c := range a.Status.Conditions {
		if c.Type == meta.ReadyCondition {
			return c.Message
		}
	}
	return ""
}

// waitForEvent waits for an event about obj of the type and reason whose
// message holds substr.
func waitForEvent(t *testing.T, obj client.Object, eventType, reason, substr string) {
	t.Helper()
	NewWithT(t).Eventually(func() error {
		var list corev1.EventList
		if err := env.cp.Client.List(context.Background(), &list, client.InNamespace(obj.GetNamespace())); err != nil {
			return err
		}
		var seen []string
		for _, e := range list.Items {
			if e.InvolvedObject.Name != obj.GetName() {
				continue
			}
			seen = append(seen, e.Type+"/"+e.Reason+": "+e.Message)
			if e.Type == eventType && e.Reason == reason && strings.Contains(e.Message, substr) {
				return nil
			}
		}
		return fmt.Errorf("no %s/%s event saying %q; events: %v", eventType, reason, substr, seen)
	}, timeout, 200*time.Millisecond).Should(Succeed())
}

// requestReconcile sets reconcile.fluxcd.io/requestedAt, as `flux reconcile`
// does, and returns the token.
func requestReconcile(t *testing.T, obj client.Object) string {
	t.Helper()
	token := time.Now().Format(time.RFC3339Nano)
	update(t, obj, func() {
		a := obj.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		a[meta.ReconcileRequestAnnotation] = token
		obj.SetAnnotations(a)
	})
	return token
}

func secret(ns, name string, data map[string]string) *corev1.Secret {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Data: map[string][]byte{}}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	return s
}

func withSecret(name string) func(*sourcev1.GitRepository) {
	return func(r *sourcev1.GitRepository) { r.Spec.SecretRef = &meta.LocalObjectReference{Name: name} }
}
