// Package imagetest runs what the tests of the ImageRepository and
// ImagePolicy reconcilers share: a real control plane with the image CRDs,
// a manager running the packages' real reconcilers over a tag store in a
// temporary folder, an in-process registry (registrytest) and helpers to
// read what a user would read (conditions, events).
package imagetest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/registry/registrytest"
	"github.com/tidegitops/tide/image-automation-controller/internal/tagstore"
	"github.com/tidegitops/tide/skeleton"
	tidemanager "github.com/tidegitops/tide/skeleton/manager"
	"github.com/tidegitops/tide/testkit"
)

// Env is the environment the tests of one package share.
type Env struct {
	CP *testkit.ControlPlane
	// Cached is the manager's client, to wait for what the controller sees.
	Cached client.Reader
	// Tags is the store the reconcilers share; StoreDir its folder.
	Tags     *tagstore.Store
	StoreDir string
}

// Setup adds the package's reconcilers to mgr.
type Setup func(ctx context.Context, mgr manager.Manager, skel *skeleton.Skeleton, tags *tagstore.Store) error

// Main is a package's TestMain.
func Main(m *testing.M, env *Env, setup Setup) {
	code, err := run(m, env, setup)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M, env *Env, setup Setup) (int, error) {
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.UseDevMode(true)))
	cp, err := testkit.StartControlPlane()
	if err != nil {
		return 0, err
	}
	defer cp.Stop()
	if err := imagev1.AddToScheme(cp.Scheme); err != nil {
		return 0, err
	}
	dir, err := os.MkdirTemp("", "image-tags-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	tags, err := tagstore.Open(dir, tagstore.Options{})
	if err != nil {
		return 0, err
	}
	opts := tidemanager.Options{Name: "image-automation-controller", MetricsAddr: "0", HealthAddr: "0", Concurrent: 4}
	opts.Watch.AllNamespaces = true
	mgr, err := tidemanager.New(cp.Config, opts, cp.Scheme, &imagev1.ImageRepository{}, &imagev1.ImagePolicy{})
	if err != nil {
		return 0, err
	}
	skel, err := tidemanager.NewSkeleton(mgr, opts)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := setup(ctx, mgr, skel, tags); err != nil {
		return 0, err
	}
	*env = Env{CP: cp, Cached: mgr.GetClient(), Tags: tags, StoreDir: dir}
	go func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "manager:", err)
		}
	}()
	return m.Run(), nil
}

// The test registries' credentials.
const (
	User     = "robot"
	Password = "s3cr3t-pa55"
)

// NewRegistry starts a registry wanting basic auth, that pages tag lists
// by PageSize as the big public registries do.
func NewRegistry(t testing.TB) *registrytest.Registry {
	return registrytest.New(t, func(r *registrytest.Registry) {
		r.User, r.Pass = User, Password
		r.PageSize = PageSize
	})
}

// PageSize is how many tags a page of NewRegistry's holds.
const PageSize = 500

// DockerConfig is the data of a docker config Secret for host.
func DockerConfig(host, user, password string) map[string][]byte {
	return map[string][]byte{corev1.DockerConfigJsonKey: fmt.Appendf(nil,
		`{"auths":{%q:{"username":%q,"password":%q}}}`, host, user, password)}
}

// Create creates obj with the direct client and waits until the
// controller's cache has it.
func (env *Env) Create(t testing.TB, obj client.Object) {
	t.Helper()
	testkit.CreateAndWait(t, env.CP.Client, env.Cached, obj)
}

// CreateSecret creates a Secret.
func (env *Env) CreateSecret(t testing.TB, ns, name string, data map[string][]byte) {
	t.Helper()
	env.Create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Data: data})
}

// Update changes obj with change, retrying on conflicts with the
// controller.
func (env *Env) Update(t testing.TB, obj client.Object, change func()) {
	t.Helper()
	NewWithT(t).Eventually(func() error {
		if err := env.CP.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		change()
		return env.CP.Client.Update(context.Background(), obj)
	}, testkit.Timeout).Should(Succeed())
}

// RequestReconcile sets reconcile.fluxcd.io/requestedAt, as
// `flux reconcile` does, and returns the token.
func (env *Env) RequestReconcile(t testing.TB, obj client.Object) string {
	t.Helper()
	token := time.Now().Format(time.RFC3339Nano)
	env.Update(t, obj, func() {
		a := obj.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		a["reconcile.fluxcd.io/requestedAt"] = token
		obj.SetAnnotations(a)
	})
	return token
}

// WaitForEvent waits for an event about obj of the given type and reason
// whose message holds substr, and returns it.
func (env *Env) WaitForEvent(t testing.TB, obj client.Object, eventType, reason, substr string) corev1.Event {
	t.Helper()
	var found corev1.Event
	NewWithT(t).Eventually(func() error {
		var list corev1.EventList
		if err := env.CP.Client.List(context.Background(), &list, client.InNamespace(obj.GetNamespace())); err != nil {
			return err
		}
		var seen []string
		for _, e := range list.Items {
			if e.InvolvedObject.Name != obj.GetName() {
				continue
			}
			seen = append(seen, e.Type+"/"+e.Reason+": "+e.Message)
			if e.Type == eventType && e.Reason == reason && strings.Contains(e.Message, substr) {
				found = e
				return nil
			}
		}
		return fmt.Errorf("no %s/%s event saying %q; events: %v", eventType, reason, substr, seen)
	}, testkit.Timeout, 200*time.Millisecond).Should(Succeed())
	return found
}
