package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

// The controllers run as processes with their own logs; the clients of the
// tests log nothing (without a logger, controller-runtime prints a stack
// trace into the benchmark output to say so).
func TestMain(m *testing.M) {
	ctrllog.SetLogger(logr.Discard())
	testkit.Main(m, &cp)
}

func configMapYAML(name, value string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  key: %q\n", name, value)
}

// The whole path, with both controllers as processes: a commit is applied,
// a change updates, a removed file is pruned, a broken commit fails without
// losing anything, and a fix recovers.
func TestCommitToCluster(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	git := testkit.StartGitServer(t)
	repo := git.NewRepo(t, "fleet")
	repo.Write("apps/web.yaml", configMapYAML("web", "v1")).
		Write("apps/db.yaml", configMapYAML("db", "v1"))
	repo.Commit("first")
	testkit.StartControllers(t, cp)

	ns := testkit.NewNamespace(t, cp.Client)
	source := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{Name: "fleet", Namespace: ns},
		Spec: sourcev1.GitRepositorySpec{
			URL: git.HTTPURL("fleet"), Interval: metav1.Duration{Duration: time.Second},
		},
	}
	g.Expect(cp.Client.Create(ctx, source)).To(Succeed())
	ks := &kustomizev1.Kustomization{
		ObjectMeta: metav1.ObjectMeta{Name: "apps", Namespace: ns},
		Spec: kustomizev1.KustomizationSpec{
			Interval: metav1.Duration{Duration: time.Hour}, Path: "./apps", Prune: true, TargetNamespace: ns,
			SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: sourcev1.GitRepositoryKind, Name: "fleet"},
		},
	}
	g.Expect(cp.Client.Create(ctx, ks)).To(Succeed())

	value := func(name string) string {
		cm := &corev1.ConfigMap{}
		if err := cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, cm); err != nil {
			return "<absent>"
		}
		return cm.Data["key"]
	}
	ready := func() string {
		_ = cp.Client.Get(ctx, client.ObjectKeyFromObject(ks), ks)
		c := conditions.Get(ks, meta.ReadyCondition)
		if c == nil {
			return ""
		}
		return string(c.Status) + " " + c.Reason + " " + c.Message
	}
	const wait = time.Minute

	g.Eventually(func() string { return value("web") + "," + value("db") }, wait).Should(Equal("v1,v1"), ready)
	g.Eventually(ready, wait).Should(HavePrefix("True ReconciliationSucceeded Applied revision: master@sha1:"))

	repo.Write("apps/web.yaml", configMapYAML("web", "v2"))
	repo.Commit("change web")
	g.Eventually(func() string { return value("web") }, wait).Should(Equal("v2"), ready)

	repo.Remove("apps/db.yaml")
	third := repo.Commit("remove db")
	g.Eventually(func() string { return value("db") }, wait).Should(Equal("<absent>"), ready)
	g.Eventually(ready, wait).Should(ContainSubstring(third))

	repo.Write("apps/web.yaml", configMapYAML("web", "v3")).
		Write("apps/kustomization.yaml", "resources:\n- web.yaml\n- missing.yaml\n")
	broken := repo.Commit("broken")
	g.Eventually(ready, wait).Should(And(HavePrefix("False BuildFailed"), ContainSubstring(broken)))
	g.Expect(value("web")).To(Equal("v2"), "nothing of a broken commit is applied")
	g.Expect(ks.Status.LastAppliedRevision).To(ContainSubstring(third))
	g.Expect(ks.Status.Inventory.Entries).To(HaveLen(1))

	repo.Remove("apps/kustomization.yaml")
	fixed := repo.Commit("fix")
	g.Eventually(ready, wait).Should(And(HavePrefix("True"), ContainSubstring(fixed)))
	g.Expect(value("web")).To(Equal("v3"))
}
