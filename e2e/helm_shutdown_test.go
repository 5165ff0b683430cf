package e2e

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/helmserver"
)

// A helm-controller told to stop while an install waits for its rollout
// lets the install finish (within --graceful-shutdown-timeout): the
// release is recorded deployed, not failed by the shutdown, so nothing is
// remediated (rolled back or uninstalled) when the controller starts again.
func TestHelmInstallFinishesOnShutdown(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	if err := helmv2.AddToScheme(cp.Scheme); err != nil {
		t.Fatal(err)
	}
	app := helmserver.Chart{Name: "app", Version: "1.0.0", Templates: map[string]string{"deployment.yaml": helmserver.DeploymentTemplate}}
	charts := helmserver.Start(t, helmserver.WithCharts(app))
	testkit.StartControllers(t, cp)
	helm := testkit.StartController(t, cp, "helm-controller", "--graceful-shutdown-timeout=60s")

	ns := testkit.NewNamespace(t, cp.Client)
	g.Expect(cp.Client.Create(ctx, &sourcev1.HelmRepository{
		ObjectMeta: metav1.ObjectMeta{Name: "charts", Namespace: ns},
		Spec:       sourcev1.HelmRepositorySpec{URL: charts.URL, Interval: metav1.Duration{Duration: time.Hour}},
	})).To(Succeed())
	g.Expect(cp.Client.Create(ctx, &helmv2.HelmRelease{
		ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: ns},
		Spec: helmv2.HelmReleaseSpec{
			Interval: metav1.Duration{Duration: time.Hour},
			Timeout:  &metav1.Duration{Duration: 2 * time.Minute},
			Chart: &helmv2.HelmChartTemplate{Spec: helmv2.HelmChartTemplateSpec{
				Chart: "app", Version: "1.0.0",
				SourceRef: &helmv2.CrossNamespaceObjectReference{Kind: sourcev1.HelmRepositoryKind, Name: "charts"},
			}},
		},
	})).To(Succeed())

	// The install has applied the Deployment and waits for its rollout.
	dep := &appsv1.Deployment{}
	g.Eventually(func() error {
		return cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "app"}, dep)
	}, time.Minute).Should(Succeed())

	stopped := make(chan struct{})
	go func() { helm.Stop(); close(stopped) }()
	// The manager is stopping before the rollout completes.
	g.Eventually(helm.Logs, 10*time.Second, 50*time.Millisecond).Should(ContainSubstring("Stopping and waiting"))
	dep.Status = appsv1.DeploymentStatus{ObservedGeneration: dep.Generation, Replicas: 1, UpdatedReplicas: 1,
		ReadyReplicas: 1, AvailableReplicas: 1, Conditions: []appsv1.DeploymentCondition{
			{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"},
			{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable"},
		}}
	g.Expect(cp.Client.Status().Update(ctx, dep)).To(Succeed())
	<-stopped

	record := &corev1.Secret{}
	g.Expect(cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "sh.helm.release.v1.app.v1"}, record)).To(Succeed())
	g.Expect(record.Labels).To(HaveKeyWithValue("status", "deployed"), "helm-controller log:\n%s", helm.Logs())
}
