package secretwatch_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton/secretwatch"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

// seen counts the reconciles of each object.
type seen struct {
	mu    sync.Mutex
	count map[types.NamespacedName]int
}

func (s *seen) Reconcile(_ context.Context, req reconcile.Request) (reconcile.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count[req.NamespacedName]++
	return reconcile.Result{}, nil
}

func (s *seen) of(key types.NamespacedName) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count[key]
}

func secretNames(repo *sourcev1.GitRepository) []string {
	if repo.Spec.SecretRef == nil {
		return nil
	}
	return []string{repo.Spec.SecretRef.Name}
}

// TestSecretChangeEnqueuesItsUsers: a change of a Secret reconciles the
// objects of its namespace that name it, and only those.
func TestSecretChangeEnqueuesItsUsers(t *testing.T) {
	g := NewWithT(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)

	mgr, err := ctrl.NewManager(cp.Config, ctrl.Options{Scheme: cp.Scheme, Metrics: metricsserver.Options{BindAddress: "0"}})
	g.Expect(err).NotTo(HaveOccurred())
	rec := &seen{count: map[types.NamespacedName]int{}}
	b := ctrl.NewControllerManagedBy(mgr).For(&sourcev1.GitRepository{}).Named("secretwatch-test")
	g.Expect(secretwatch.Watch[sourcev1.GitRepositoryList](ctx, mgr, b, secretNames)).To(Succeed())
	g.Expect(b.Complete(rec)).To(Succeed())
	go func() { _ = mgr.Start(ctx) }()

	nsA, nsB := namespace(t), namespace(t)
	namer := repo(t, nsA, "namer", "creds")
	other := repo(t, nsA, "other", "elsewhere")
	none := repo(t, nsA, "none", "")
	sameNameElsewhere := repo(t, nsB, "namer", "creds")
	all := []types.NamespacedName{namer, other, none, sameNameElsewhere}
	for _, key := range all {
		g.Eventually(func() int { return rec.of(key) }, time.Minute).Should(BeNumerically(">=", 1), "created %s reconciled", key)
	}
	before := map[types.NamespacedName]int{}
	for _, key := range all {
		before[key] = rec.of(key)
	}

	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: nsA, Name: "creds"},
		StringData: map[string]string{"password": "fixed"}}
	g.Expect(cp.Client.Create(ctx, secret)).To(Succeed())

	g.Eventually(func() int { return rec.of(namer) }, time.Minute).Should(BeNumerically(">", before[namer]),
		"the object naming the Secret is reconciled when the Secret appears")
	g.Consistently(func() []int {
		return []int{rec.of(other) - before[other], rec.of(none) - before[none], rec.of(sameNameElsewhere) - before[sameNameElsewhere]}
	}, 2*time.Second).Should(Equal([]int{0, 0, 0}), "objects not naming it, or in another namespace, are left alone")

	afterCreate := rec.of(namer)
	secret.StringData = map[string]string{"password": "rotated"}
	g.Expect(cp.Client.Update(ctx, secret)).To(Succeed())
	g.Eventually(func() int { return rec.of(namer) }, time.Minute).Should(BeNumerically(">", afterCreate),
		"an update of the Secret reconciles it too")
}

func namespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "secretwatch-"}}
	if err := cp.Client.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

func repo(t *testing.T, ns, name, secret string) types.NamespacedName {
	t.Helper()
	obj := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: sourcev1.GitRepositorySpec{
			URL:      "https://git.example.com/app.git",
			Interval: metav1.Duration{Duration: time.Hour},
		},
	}
	if secret != "" {
		obj.Spec.SecretRef = &meta.LocalObjectReference{Name: secret}
	}
	if err := cp.Client.Create(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
	return client.ObjectKeyFromObject(obj)
}

func TestNamesSkipsUnsetReferences(t *testing.T) {
	g := NewWithT(t)
	got := secretwatch.Names(&meta.LocalObjectReference{Name: "auth"}, nil, &meta.LocalObjectReference{Name: "proxy"})
	g.Expect(got).To(Equal([]string{"auth", "proxy"}))
	g.Expect(secretwatch.Names(nil, nil)).To(BeEmpty())
}
