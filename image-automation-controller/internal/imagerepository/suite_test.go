package imagerepository

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/imagerepository/imagetest"
	"github.com/tidegitops/tide/image-automation-controller/internal/registry"
	"github.com/tidegitops/tide/image-automation-controller/internal/registry/registrytest"
	"github.com/tidegitops/tide/image-automation-controller/internal/tagstore"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/testkit"
)

var env imagetest.Env

func TestMain(m *testing.M) {
	imagetest.Main(m, &env, func(ctx context.Context, mgr manager.Manager, skel *skeleton.Skeleton, tags *tagstore.Store) error {
		r := &Reconciler{Client: mgr.GetClient(), Skeleton: skel, Tags: tags,
			// Short waits, so a rate-limit test takes seconds.
			Clients: &registry.Clients{RateLimit: registry.RateLimit{Retries: 2, MaxWait: 2 * time.Second, Backoff: 10 * time.Millisecond}}}
		return r.SetupWithManager(ctx, mgr, controller.Options{MaxConcurrentReconciles: 4})
	})
}

// newRepository builds an ImageRepository of repo on reg with the
// registry's credentials in the Secret "creds".
func newRepository(ns string, reg *registrytest.Registry, repo string, mutate ...func(*imagev1.ImageRepository)) *imagev1.ImageRepository {
	obj := &imagev1.ImageRepository{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "repo-", Namespace: ns},
		Spec: imagev1.ImageRepositorySpec{
			Image:     reg.Host + "/" + repo,
			Interval:  metav1.Duration{Duration: time.Hour},
			Timeout:   &metav1.Duration{Duration: 20 * time.Second},
			SecretRef: &meta.LocalObjectReference{Name: "creds"},
		},
	}
	for _, m := range mutate {
		m(obj)
	}
	return obj
}

// setup gives a test a namespace, a registry wanting credentials and the
// Secret "creds" holding them.
func setup(t *testing.T) (string, *registrytest.Registry) {
	t.Helper()
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := imagetest.NewRegistry(t)
	env.CreateSecret(t, ns, "creds", imagetest.DockerConfig(reg.Host, imagetest.User, imagetest.Password))
	return ns, reg
}

func waitReady(t *testing.T, obj *imagev1.ImageRepository) {
	t.Helper()
	testkit.WaitForCondition(t, env.CP.Client, obj, meta.ReadyCondition, metav1.ConditionTrue, meta.SucceededReason)
	NewWithT(t).Eventually(func() int64 {
		_ = env.CP.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		return obj.Status.ObservedGeneration
	}, testkit.Timeout).Should(Equal(obj.Generation))
}

func tagsOf(n int, format string) []string {
	out := make([]string, n)
	for i := range n {
		out[i] = fmt.Sprintf(format, i)
	}
	return out
}
