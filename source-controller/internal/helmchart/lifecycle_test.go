package helmchart

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// With reconcileStrategy Revision and values files, the version carries
// both: "<version>+<12 hex>.<generation>".
func TestGitRevisionWithValuesFiles(t *testing.T) {
	ns := testkit.NewNamespace(t, env.CP.Client)
	repo := gitSource(t, ns, chartRepo("1.0.0"))
	obj := newChart(ns, sourcev1.GitRepositoryKind, repo.Name, "charts/app", func(c *sourcev1.HelmChart) {
		c.Spec.ReconcileStrategy = sourcev1.ReconcileStrategyRevision
		c.Spec.ValuesFiles = []string{"env/prod.yaml"}
	})
	create(t, obj)
	waitVersion(t, obj, "1.0.0+"+shortHash(repo.Status.Artifact.Revision)+".1")
	update(t, obj, func() { obj.Spec.ValuesFiles = []string{"charts/app/values.yaml", "env/prod.yaml"} })
	waitVersion(t, obj, "1.0.0+"+shortHash(repo.Status.Artifact.Revision)+".2")
}

// An artifact gone from storage (a new pod with an empty volume) is built
// again; deleting the HelmChart removes its artifacts.
func TestArtifactLifecycle(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.CP.Client)
	repo := gitSource(t, ns, chartRepo("1.0.0"))
	obj := newChart(ns, sourcev1.GitRepositoryKind, repo.Name, "charts/app")
	create(t, obj)
	waitReady(t, obj)
	path := env.Store.LocalPath(*obj.Status.Artifact)
	digest := obj.Status.Artifact.Digest
	g.Expect(os.Remove(path)).To(Succeed())

	update(t, obj, func() { obj.Spec.Interval.Duration *= 2 })
	waitReady(t, obj)
	g.Eventually(func() bool { _, err := os.Stat(path); return err == nil }, testkit.Timeout).Should(BeTrue())
	g.Expect(obj.Status.Artifact.Digest).To(Equal(digest))

	g.Expect(env.CP.Client.Delete(ctx, obj)).To(Succeed())
	g.Eventually(func() bool {
		return apierrors.IsNotFound(env.CP.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj))
	}, testkit.Timeout).Should(BeTrue())
	_, err := os.Stat(filepath.Dir(path))
	g.Expect(os.IsNotExist(err)).To(BeTrue(), "artifacts left after deletion: %v", err)
}
