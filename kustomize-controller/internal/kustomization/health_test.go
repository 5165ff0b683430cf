package kustomization

import (
	"context"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

const deploymentYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
`

// rollout writes the Deployment's status as the deployment controller
// would (there is none in the test control plane).
func rollout(t *testing.T, ns string, progressing metav1.ConditionStatus, reason string) {
	t.Helper()
	ctx := context.Background()
	NewWithT(t).Eventually(func() error {
		d := &appsv1.Deployment{}
		if err := env.cp.Client.Get(ctx, keyIn(ns, "web"), d); err != nil {
			return err
		}
		d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: 1, UpdatedReplicas: 1,
			Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing,
				Status: corev1.ConditionStatus(progressing), Reason: reason}}}
		if progressing == metav1.ConditionTrue {
			d.Status.ReadyReplicas, d.Status.AvailableReplicas = 1, 1
			d.Status.Conditions = append(d.Status.Conditions, appsv1.DeploymentCondition{
				Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"})
		}
		return env.cp.Client.Status().Update(ctx, d)
	}, testkit.Timeout).Should(Succeed())
}

func TestHealthyRollout(t *testing.T) {
	t.Parallel()
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"deploy.yaml": deploymentYAML})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) { k.Spec.Wait = true })
	testkit.WaitForCondition(t, env.cp.Client, ks, meta.ReconcilingCondition, metav1.ConditionTrue, "")
	NewWithT(t).Consistently(func() bool {
		_ = env.cp.Client.Get(context.Background(), keyOf(ks), ks)
		return conditions.IsReady(ks)
	}, time.Second).Should(BeFalse(), "not Ready while the Deployment rolls out")

	rollout(t, ns, metav1.ConditionTrue, "NewReplicaSetAvailable")
	waitApplied(t, ks, *repo.Status.Artifact)
	testkit.WaitForCondition(t, env.cp.Client, ks, kustomizev1.HealthyCondition, metav1.ConditionTrue, meta.SucceededReason)
}

// A failed rollout fails the health check at once, without waiting for the
// timeout.
func TestFailedRolloutFailsFast(t *testing.T) {
	t.Parallel()
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"deploy.yaml": deploymentYAML})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.HealthChecks = []meta.NamespacedObjectKindReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}}
		k.Spec.Timeout = &metav1.Duration{Duration: 5 * time.Minute}
	})
	testkit.WaitForCondition(t, env.cp.Client, ks, meta.ReconcilingCondition, metav1.ConditionTrue, "")
	start := time.Now()
	rollout(t, ns, metav1.ConditionFalse, "ProgressDeadlineExceeded")
	msg := waitFailed(t, ks, kustomizev1.HealthCheckFailedReason)
	NewWithT(t).Expect(time.Since(start)).To(BeNumerically("<", time.Minute))
	NewWithT(t).Expect(msg).To(ContainSubstring("Deployment/" + ns + "/web"))
	testkit.WaitForCondition(t, env.cp.Client, ks, kustomizev1.HealthyCondition, metav1.ConditionFalse, kustomizev1.HealthCheckFailedReason)
}

// A rollout that never finishes fails the health check after spec.timeout
// (30 s at least); the objects stay applied.
func TestRolloutTimeout(t *testing.T) {
	t.Parallel()
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"deploy.yaml": deploymentYAML})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) { k.Spec.Wait = true })
	msg := waitFailedWithin(t, ks, kustomizev1.HealthCheckFailedReason, 90*time.Second)
	NewWithT(t).Expect(msg).To(ContainSubstring("timeout"))
	NewWithT(t).Expect(ks.Status.LastAppliedRevision).To(BeEmpty())
}

// A new revision does not wait behind a health check that cannot pass: the
// check stops and the new revision is applied.
func TestNewRevisionInterruptsHealthCheck(t *testing.T) {
	t.Parallel()
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"deploy.yaml": deploymentYAML})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.Wait = true
		k.Spec.Timeout = &metav1.Duration{Duration: 10 * time.Minute}
	})
	testkit.WaitForCondition(t, env.cp.Client, ks, meta.ReconcilingCondition, metav1.ConditionTrue, "")
	// The Deployment never becomes ready; the fix replaces it.
	fixed := commit(t, repo, map[string]string{"web.yaml": configMapYAML("web", "fixed")})
	waitApplied(t, ks, fixed)
	NewWithT(t).Expect(configMap(t, ns, "web").Data).To(HaveKeyWithValue("key", "fixed"))
}
