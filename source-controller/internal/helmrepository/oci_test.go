package helmrepository

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/helmserver"
)

// A HelmRepository of type oci is static, as in Flux: empty status, no
// finalizer, no artifact; one switched from type default loses its
// artifacts.
func TestReconcileOCIIsStatic(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.CP.Client)
	static := func(obj *sourcev1.HelmRepository) func() bool {
		return func() bool {
			if err := env.CP.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
				return false
			}
			return len(obj.Finalizers) == 0 && emptyStatus(obj)
		}
	}

	oci := newHelmRepository(ns, "oci://registry.example.com/charts", func(o *sourcev1.HelmRepository) {
		o.Spec.Type = sourcev1.HelmRepositoryTypeOCI
	})
	create(t, oci)
	g.Eventually(static(oci), testkit.Timeout).Should(BeTrue(), "status %+v", oci.Status)

	srv := helmserver.Start(t, helmserver.WithCharts(app))
	obj := newHelmRepository(ns, srv.URL)
	create(t, obj)
	waitReady(t, obj)
	dir := filepath.Join(env.Root, "helmrepository", ns, obj.Name)
	g.Expect(dir).To(BeADirectory())
	updateSpec(t, obj, func(o *sourcev1.HelmRepository) {
		o.Spec.Type, o.Spec.URL = sourcev1.HelmRepositoryTypeOCI, "oci://registry.example.com/charts"
	})
	g.Eventually(static(obj), testkit.Timeout).Should(BeTrue(), "status %+v", obj.Status)
	_, err := os.Stat(dir)
	g.Expect(os.IsNotExist(err)).To(BeTrue(), "artifacts of the former type default removed")
}
