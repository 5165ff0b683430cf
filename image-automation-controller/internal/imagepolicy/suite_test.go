package imagepolicy

import (
	"context"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/imagerepository"
	"github.com/tidegitops/tide/image-automation-controller/internal/imagerepository/imagetest"
	"github.com/tidegitops/tide/image-automation-controller/internal/registry"
	"github.com/tidegitops/tide/image-automation-controller/internal/registry/registrytest"
	"github.com/tidegitops/tide/image-automation-controller/internal/tagstore"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/testkit"
)

var env imagetest.Env

// TestMain runs both reconcilers, as the controller does: policies choose
// from what the repositories' scans stored.
func TestMain(m *testing.M) {
	imagetest.Main(m, &env, func(ctx context.Context, mgr manager.Manager, skel *skeleton.Skeleton, tags *tagstore.Store) error {
		clients := &registry.Clients{RateLimit: registry.RateLimit{Retries: 1, MaxWait: time.Second, Backoff: 10 * time.Millisecond}}
		repos := &imagerepository.Reconciler{Client: mgr.GetClient(), Skeleton: skel, Tags: tags, Clients: clients}
		if err := repos.SetupWithManager(ctx, mgr, controller.Options{MaxConcurrentReconciles: 4}); err != nil {
			return err
		}
		policies := &Reconciler{Client: mgr.GetClient(), Skeleton: skel, Tags: tags, Clients: clients, DependencyRequeue: 2 * time.Second}
		return policies.SetupWithManager(ctx, mgr, controller.Options{MaxConcurrentReconciles: 4})
	})
}

// setup gives a test a namespace, a registry, its credentials in the
// Secret "creds", and a Ready ImageRepository of reg/app holding tags.
func setup(t *testing.T, tags ...string) (string, *registrytest.Registry, *imagev1.ImageRepository) {
	t.Helper()
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := imagetest.NewRegistry(t)
	env.CreateSecret(t, ns, "creds", imagetest.DockerConfig(reg.Host, imagetest.User, imagetest.Password))
	reg.Push(t, "app", tags...)
	repo := &imagev1.ImageRepository{
		ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: ns},
		Spec: imagev1.ImageRepositorySpec{
			Image:     reg.Host + "/app",
			Interval:  metav1.Duration{Duration: time.Hour},
			SecretRef: &meta.LocalObjectReference{Name: "creds"},
		},
	}
	env.Create(t, repo)
	testkit.WaitForCondition(t, env.CP.Client, repo, meta.ReadyCondition, metav1.ConditionTrue, meta.SucceededReason)
	return ns, reg, repo
}

func newPolicy(ns string, choice imagev1.ImagePolicyChoice, mutate ...func(*imagev1.ImagePolicy)) *imagev1.ImagePolicy {
	p := &imagev1.ImagePolicy{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "policy-", Namespace: ns},
		Spec: imagev1.ImagePolicySpec{
			ImageRepositoryRef: meta.NamespacedObjectReference{Name: "app"},
			Policy:             choice,
		},
	}
	for _, m := range mutate {
		m(p)
	}
	return p
}

func semver(r string) imagev1.ImagePolicyChoice {
	return imagev1.ImagePolicyChoice{SemVer: &imagev1.SemVerPolicy{Range: r}}
}

// waitLatest waits until the policy is Ready and has picked tag.
func waitLatest(t *testing.T, p *imagev1.ImagePolicy, tag string) {
	t.Helper()
	NewWithT(t).Eventually(func() string {
		_ = env.CP.Client.Get(context.Background(), client.ObjectKeyFromObject(p), p)
		ready := readyOf(p)
		if p.Status.LatestRef == nil || ready.Status != metav1.ConditionTrue {
			return ready.Reason + ": " + ready.Message
		}
		return p.Status.LatestRef.Tag
	}, testkit.Timeout, 100*time.Millisecond).Should(Equal(tag))
}

func readyOf(p *imagev1.ImagePolicy) metav1.Condition {
	for _, c := range p.Status.Conditions {
		if c.Type == meta.ReadyCondition {
			return c
		}
	}
	return metav1.Condition{}
}

// rescan has the repository scan again at once and waits until it has.
func rescan(t *testing.T, repo *imagev1.ImageRepository) {
	t.Helper()
	token := env.RequestReconcile(t, repo)
	NewWithT(t).Eventually(func() string {
		_ = env.CP.Client.Get(context.Background(), client.ObjectKeyFromObject(repo), repo)
		return repo.Status.LastHandledReconcileAt
	}, testkit.Timeout).Should(Equal(token))
}

// headDigest reads the digest of app:tag on host with the test
// credentials.
func headDigest(t *testing.T, host, tag string) (string, error) {
	t.Helper()
	c, err := registry.New(registry.Options{DockerConfigJSON: imagetest.DockerConfig(host, imagetest.User, imagetest.Password)[".dockerconfigjson"]})
	if err != nil {
		return "", err
	}
	repo, err := registry.ParseImage(host+"/app", false)
	if err != nil {
		return "", err
	}
	return c.Digest(context.Background(), repo, tag)
}
