package kustomization

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton/readyexpr"
	"github.com/tidegitops/tide/testkit"
)

// shardLabel is Flux's sharding label; the suite's controller leaves every
// Kustomization that has it to another shard.
const shardLabel = "sharding.fluxcd.io/key"

// A dependency in another shard, outside this controller's cache, is found
// and its readiness respected.
func TestDependsOnAnotherShard(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo, infra, apps := infraAndApps(t, ns)
	NewWithT(t).Expect(infra.Labels).To(HaveKey(shardLabel))
	waitApplied(t, apps, *repo.Status.Artifact)
}

// With a shared source, the dependent waits until the dependency has
// applied the revision it is about to apply: apps never run a commit ahead
// of the infrastructure it needs.
func TestDependsOnSharedSourceWaitsForRevision(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo, infra, apps := infraAndApps(t, ns)
	waitApplied(t, apps, *repo.Status.Artifact)

	next := commit(t, repo, map[string]string{
		"infra/cm.yaml": configMapYAML("infra", "v2"),
		"apps/cm.yaml":  configMapYAML("app", "v2"),
	})
	msg := waitFailed(t, apps, kustomizev1.DependencyNotReadyReason)
	g.Expect(msg).To(And(ContainSubstring(ns+"/infra"), ContainSubstring(next.Revision)))
	g.Expect(configMap(t, ns, "app").Data).To(HaveKeyWithValue("key", "v1"), "apps ran ahead of infra")

	markApplied(t, infra, next.Revision)
	waitApplied(t, apps, next)
	g.Expect(configMap(t, ns, "app").Data).To(HaveKeyWithValue("key", "v2"))
}

// A dependency building from another source is not held to this source's
// revision.
func TestDependsOnOtherSourceIgnoresRevision(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo, _, apps := infraAndApps(t, ns)
	waitApplied(t, apps, *repo.Status.Artifact)
	other := newSource(t, ns, map[string]string{"apps/cm.yaml": configMapYAML("app", "other")})
	updateSpec(t, apps, func(spec *kustomizev1.KustomizationSpec) { spec.SourceRef.Name = other.Name })
	waitApplied(t, apps, *other.Status.Artifact)
}

// With the AdditiveCELDependencyCheck gate, a dependency passing its
// readyExpr must be Ready as well; without it, the expression alone decides,
// as in Flux.
func TestAdditiveCELDependencyCheck(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"infra/cm.yaml": configMapYAML("infra", "v1")})
	infra := newKustomization(t, repo, func(k *kustomizev1.Kustomization) { // never reconciled: not Ready
		k.GenerateName, k.Name, k.Labels = "", "infra", map[string]string{shardLabel: "elsewhere"}
	})
	expr, err := readyexpr.Compile("dep.metadata.name == 'infra'")
	if err != nil {
		t.Fatal(err)
	}
	apps := &kustomizev1.Kustomization{}
	apps.Namespace, apps.Name, apps.Spec.SourceRef = ns, "apps", infra.Spec.SourceRef
	s := &scope{obj: apps, artifact: *repo.Status.Artifact}
	for _, additive := range []bool{false, true} {
		r := &Reconciler{APIReader: env.cp.Client, Options: Options{AdditiveCELDependencyCheck: additive}}
		err := r.dependencyReady(context.Background(), keyOf(infra), expr, s)
		if additive && err == nil {
			t.Error("additive: a dependency that is not Ready passed on its readyExpr alone")
		}
		if !additive && err != nil {
			t.Errorf("readyExpr alone: %v", err)
		}
	}
}

// infraAndApps creates, from one source, "infra" in another shard (Ready
// with the source's revision applied, as its controller would report it)
// and "apps" in this shard depending on it.
func infraAndApps(t *testing.T, ns string) (*sourcev1.GitRepository, *kustomizev1.Kustomization, *kustomizev1.Kustomization) {
	t.Helper()
	repo := newSource(t, ns, map[string]string{
		"infra/cm.yaml": configMapYAML("infra", "v1"),
		"apps/cm.yaml":  configMapYAML("app", "v1"),
	})
	infra := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.GenerateName, k.Name = "", "infra"
		k.Labels = map[string]string{shardLabel: "shard1"}
		k.Spec.Path = "infra"
	})
	markApplied(t, infra, repo.Status.Artifact.Revision)
	apps := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.Path = "apps"
		k.Spec.DependsOn = []kustomizev1.DependencyReference{{Name: "infra"}}
	})
	return repo, infra, apps
}

// markApplied writes ks's status as the controller of its shard would after
// applying revision.
func markApplied(t *testing.T, ks *kustomizev1.Kustomization, revision string) {
	t.Helper()
	NewWithT(t).Eventually(func() error {
		if err := env.cp.Client.Get(context.Background(), keyOf(ks), ks); err != nil {
			return err
		}
		ks.Status.ObservedGeneration = ks.Generation
		ks.Status.LastAppliedRevision = revision
		ks.Status.LastAttemptedRevision = revision
		conditions.MarkTrue(ks, meta.ReadyCondition, kustomizev1.ReconciliationSucceededReason, "Applied revision: %s", revision)
		return env.cp.Client.Status().Update(context.Background(), ks)
	}, testkit.Timeout).Should(Succeed())
}
