package kustomization

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// driftCorrection is how soon a hand edit must be undone: with an interval
// of an hour, only the watch can do it.
const driftCorrection = 2 * time.Second

// appliedOnShard applies files through a Kustomization of shard name with
// an interval of an hour, and returns it once Ready.
func appliedOnShard(t *testing.T, name string, files map[string]string) (*kustomizev1.Kustomization, string) {
	t.Helper()
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, files)
	ks := newKustomization(t, repo, onShard(name))
	waitApplied(t, ks, *repo.Status.Artifact)
	return ks, ns
}

func waitConfigMapValue(t *testing.T, ns, name, want string, within time.Duration) {
	t.Helper()
	NewWithT(t).Eventually(func() string {
		cm := &corev1.ConfigMap{}
		_ = env.cp.Client.Get(context.Background(), keyIn(ns, name), cm)
		return cm.Data["key"]
	}, within, 20*time.Millisecond).Should(Equal(want))
}

// A hand edit (an update, or a forced server-side apply, by another field
// manager) of a field the controller applied is undone within 2 s, with an
// interval of an hour and no reconcile request; a deleted object comes
// back as fast.
func TestDriftCorrectedAtOnce(t *testing.T) {
	startShard(t, "drift-edit", shardOptions{factor: 10})
	ks, ns := appliedOnShard(t, "drift-edit", map[string]string{"cm.yaml": configMapYAML("app", "v1")})
	ctx := context.Background()
	g := NewWithT(t)

	cm := configMap(t, ns, "app")
	cm.Data["key"] = "edited"
	g.Expect(env.cp.Client.Update(ctx, cm, client.FieldOwner("kubectl-edit"))).To(Succeed())
	waitConfigMapValue(t, ns, "app", "v1", driftCorrection)

	edit := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "app", "namespace": ns}, "data": map[string]any{"key": "applied"}}}
	g.Expect(env.cp.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(edit),
		client.FieldOwner("kubectl"), client.ForceOwnership)).To(Succeed())
	waitConfigMapValue(t, ns, "app", "v1", driftCorrection)

	cm = configMap(t, ns, "app")
	uid := cm.UID
	g.Expect(env.cp.Client.Delete(ctx, cm)).To(Succeed())
	g.Eventually(func() bool {
		again := &corev1.ConfigMap{}
		return env.cp.Client.Get(ctx, keyIn(ns, "app"), again) == nil && again.UID != uid
	}, driftCorrection, 20*time.Millisecond).Should(BeTrue(), "the deleted ConfigMap was not recreated")
	g.Expect(ks.Annotations).NotTo(HaveKey("reconcile.fluxcd.io/requestedAt"))
}

// What is no drift wakes nothing: another manager's field of its own, a
// status update by another controller, and the controller's own apply of
// a new revision (one reconciliation for the new revision, none after).
func TestDriftIgnoresOwnWritesAndStatus(t *testing.T) {
	s := startShard(t, "drift-quiet", shardOptions{factor: 10})
	ns := testkit.NewNamespace(t, env.cp.Client)
	files := map[string]string{"cm.yaml": configMapYAML("app", "v1"), "deploy.yaml": deploymentYAML}
	repo := newSource(t, ns, files)
	ks := newKustomization(t, repo, onShard("drift-quiet"))
	waitApplied(t, ks, *repo.Status.Artifact)
	ctx := context.Background()
	g := NewWithT(t)
	settled := func() uint64 {
		n := s.reconciles(ks)
		g.Consistently(func() uint64 { return s.reconciles(ks) }, time.Second, 50*time.Millisecond).Should(Equal(n))
		return n
	}
	n := settled()

	cm := configMap(t, ns, "app")
	cm.Labels["team"] = "web" // a label Git does not set
	g.Expect(env.cp.Client.Update(ctx, cm, client.FieldOwner("label-bot"))).To(Succeed())
	deploy := &appsv1.Deployment{}
	g.Expect(env.cp.Client.Get(ctx, keyIn(ns, "web"), deploy)).To(Succeed())
	deploy.Status.ObservedGeneration = deploy.Generation
	deploy.Status.Replicas = 1
	g.Expect(env.cp.Client.Status().Update(ctx, deploy, client.FieldOwner("kube-controller-manager"))).To(Succeed())
	g.Consistently(func() uint64 { return s.reconciles(ks) }, 2*time.Second, 50*time.Millisecond).Should(Equal(n),
		"a change that is no drift woke the Kustomization")

	files["cm.yaml"] = configMapYAML("app", "v2")
	next := commit(t, repo, files)
	waitApplied(t, ks, next)
	g.Consistently(func() uint64 { return s.reconciles(ks) }, 2*time.Second, 50*time.Millisecond).Should(Equal(n+1),
		"the controller's own apply woke the Kustomization again")
	g.Expect(configMap(t, ns, "app").Labels).To(HaveKeyWithValue("team", "web"))
}

// A new revision that builds to the same objects, with nothing drifted,
// sends no dry-run, apply or read of the objects, and is recorded as
// applied; a reconcile request checks in full.
func TestUnchangedBuildSkipsApply(t *testing.T) {
	s := startShard(t, "drift-skip", shardOptions{factor: 10})
	files := map[string]string{"cm.yaml": configMapYAML("app", "v1"), "sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n"}
	ks, ns := appliedOnShard(t, "drift-skip", files)
	repo := sourceOf(t, ks)
	g := NewWithT(t)

	mark := s.requests.mark()
	next := commit(t, repo, files)
	waitApplied(t, ks, next)
	dryRuns, others := s.requests.objectRequests(ns, mark)
	g.Expect([]int{dryRuns, others}).To(Equal([]int{0, 0}), "requests about the objects of an unchanged build")
	g.Expect(ks.Status.History).NotTo(BeEmpty())
	g.Expect(ks.Status.History[0].Metadata).To(HaveKeyWithValue("revision", next.Revision))

	mark = s.requests.mark()
	requestReconcile(t, ks)
	dryRuns, _ = s.requests.objectRequests(ns, mark)
	g.Expect(dryRuns).To(Equal(2), "a reconcile request must dry-run every object")
}

// Every --drift-safety-interval-factor intervals the safety check compares
// the resourceVersions the watches hold with those of the last full check:
// with nothing changed, it sends no request about the objects; a change
// the watch did not report (here, made under the controller's own field
// manager, which the watch takes for the controller's own write) is found
// and corrected, and only the changed object is dry-run.
func TestDriftSafetyIntervalRechecks(t *testing.T) {
	s := startShard(t, "drift-safety", shardOptions{factor: 4})
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"cm.yaml": configMapYAML("app", "v1"),
		"sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n"})
	ks := newKustomization(t, repo, onShard("drift-safety"), func(ks *kustomizev1.Kustomization) {
		ks.Spec.Interval = metav1.Duration{Duration: time.Second}
	})
	waitApplied(t, ks, *repo.Status.Artifact)
	g := NewWithT(t)

	// Past two safety intervals (4 s each), nothing changed.
	mark, runs := s.requests.mark(), s.reconciles(ks)
	g.Eventually(func() uint64 { return s.reconciles(ks) }, 30*time.Second, 50*time.Millisecond).Should(BeNumerically(">=", runs+9))
	dryRuns, others := s.requests.objectRequests(ns, mark)
	g.Expect([]int{dryRuns, others}).To(Equal([]int{0, 0}), "requests about unchanged objects")

	mark = s.requests.mark()
	cm := configMap(t, ns, "app")
	cm.Data["key"] = "unseen"
	g.Expect(env.cp.Client.Update(context.Background(), cm, client.FieldOwner("kustomize-controller"))).To(Succeed())
	waitConfigMapValue(t, ns, "app", "v1", 15*time.Second)
	all, _ := s.requests.objectRequests(ns, mark)
	withoutSA, _ := s.requests.objectRequests(ns, mark, "/serviceaccounts/app")
	g.Expect(all).To(BeNumerically(">=", 1), "the changed ConfigMap was not dry-run")
	g.Expect(all).To(Equal(withoutSA), "the unchanged ServiceAccount was dry-run")
}

// A watch the controller may not start (RBAC) is reported by a warning, and
// the Kustomization is checked in full at every run, as without watches.
func TestDriftWatchForbiddenFallsBack(t *testing.T) {
	s := startShard(t, "drift-forbidden", shardOptions{factor: 10, watchAs: "nobody"})
	files := map[string]string{"cm.yaml": configMapYAML("app", "v1")}
	ks, ns := appliedOnShard(t, "drift-forbidden", files)
	waitEvent(t, ks, corev1.EventTypeWarning, driftWatchFailedReason, "ConfigMap", "forbidden", "at each interval")

	mark := s.requests.mark()
	next := commit(t, sourceOf(t, ks), files)
	waitApplied(t, ks, next)
	dryRuns, _ := s.requests.objectRequests(ns, mark)
	NewWithT(t).Expect(dryRuns).To(Equal(1), "without a watch, an unchanged build is still checked")
}

// A kind is watched while an inventory has it, and no longer once none
// has; what the prune deletes wakes nothing.
func TestDriftWatchFollowsInventories(t *testing.T) {
	s := startShard(t, "drift-kinds", shardOptions{factor: 10})
	files := map[string]string{"cm.yaml": configMapYAML("app", "v1"),
		"sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n"}
	ks, ns := appliedOnShard(t, "drift-kinds", files)
	g := NewWithT(t)
	watching := func() []string {
		var names []string
		for _, gr := range s.drift.Watching() {
			names = append(names, gr.String())
		}
		return names
	}
	g.Expect(watching()).To(ConsistOf("configmaps", "serviceaccounts"))

	delete(files, "sa.yaml")
	runs := s.reconciles(ks)
	waitApplied(t, ks, commit(t, sourceOf(t, ks), files))
	testkit.WaitForDeletion(t, env.cp.Client, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "app"}})
	g.Expect(watching()).To(ConsistOf("configmaps"))
	g.Consistently(func() uint64 { return s.reconciles(ks) }, 2*time.Second, 50*time.Millisecond).Should(Equal(runs+1),
		"the prune's deletion woke the Kustomization")

	g.Expect(env.cp.Client.Delete(context.Background(), ks)).To(Succeed())
	g.Eventually(watching, testkit.Timeout).Should(BeEmpty())
}

// A change made while the controller was down is found when it starts.
func TestDriftCaughtAfterRestart(t *testing.T) {
	first := startShard(t, "drift-restart", shardOptions{factor: 10})
	_, ns := appliedOnShard(t, "drift-restart", map[string]string{"cm.yaml": configMapYAML("app", "v1")})
	first.stop()

	cm := configMap(t, ns, "app")
	cm.Data["key"] = "edited"
	NewWithT(t).Expect(env.cp.Client.Update(context.Background(), cm, client.FieldOwner("kubectl-edit"))).To(Succeed())
	startShard(t, "drift-restart", shardOptions{factor: 10})
	waitConfigMapValue(t, ns, "app", "v1", testkit.Timeout)
}

// sourceOf reads the GitRepository ks builds from.
func sourceOf(t *testing.T, ks *kustomizev1.Kustomization) *sourcev1.GitRepository {
	t.Helper()
	repo := &sourcev1.GitRepository{}
	NewWithT(t).Expect(env.cp.Client.Get(context.Background(), keyIn(ks.Namespace, ks.Spec.SourceRef.Name), repo)).To(Succeed())
	return repo
}
