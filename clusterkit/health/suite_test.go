package health_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/clusterkit/health"
	"github.com/tidegitops/tide/clusterkit/inventory"
	"github.com/tidegitops/tide/testkit"
)

// cp is a real kube-apiserver and etcd, without a controller-manager: the
// tests write the status of Deployments themselves, as the deployment
// controller would.
var cp *testkit.ControlPlane

func TestMain(m *testing.M) {
	testkit.Main(m, &cp)
}

// pollInterval keeps the tests quick; the default is 500ms.
const pollInterval = 50 * time.Millisecond

func newChecker() *health.Checker {
	return &health.Checker{Reader: cp.Client, Interval: pollInterval}
}

// wait is a Wait running in the background.
type wait struct {
	start  time.Time
	done   chan error
	rounds atomic.Int64 // rounds that ended with something unhealthy
}

// startWait starts Wait; it counts the unhealthy rounds through Abort, so
// that a test can change the cluster once Wait has seen its first state.
// A non-nil abort is also asked for a reason.
func startWait(ctx context.Context, refs []inventory.ObjectRef, opts health.Options, abort func() string) *wait {
	w := &wait{start: time.Now(), done: make(chan error, 1)}
	opts.Abort = func(context.Context) string {
		w.rounds.Add(1)
		if abort != nil {
			return abort()
		}
		return ""
	}
	go func() { w.done <- newChecker().Wait(ctx, refs, opts) }()
	return w
}

// seenUnhealthy waits until Wait has polled once and found the objects not
// yet healthy.
func (w *wait) seenUnhealthy(t *testing.T) {
	t.Helper()
	NewWithT(t).Eventually(w.rounds.Load, testkit.Timeout, 10*time.Millisecond).Should(BeNumerically(">", 0))
}

// result waits for Wait to return.
func (w *wait) result(t *testing.T) (error, time.Duration) {
	t.Helper()
	var err error
	NewWithT(t).Eventually(w.done, testkit.Timeout).Should(Receive(&err))
	return err, time.Since(w.start)
}

func deploymentRef(ns, name string) inventory.ObjectRef {
	return inventory.ObjectRef{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: ns, Name: name}
}

func configMapRef(ns, name string) inventory.ObjectRef {
	return inventory.ObjectRef{Version: "v1", Kind: "ConfigMap", Namespace: ns, Name: name}
}

func deployment(ns, name string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Generation: 1},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.invalid/app:1"}}},
			},
		},
	}
}

// createDeployment creates a Deployment of one replica with no status, as
// it is before the deployment controller sees it.
func createDeployment(t *testing.T, ns, name string) *appsv1.Deployment {
	t.Helper()
	dep := deployment(ns, name)
	if err := cp.Client.Create(context.Background(), dep); err != nil {
		t.Fatalf("create deployment: %v", err)
	}
	return dep
}

// setStatus writes a Deployment's status, as the deployment controller does.
func setStatus(t *testing.T, dep *appsv1.Deployment, status appsv1.DeploymentStatus) {
	t.Helper()
	dep.Status = status
	if err := cp.Client.Status().Update(context.Background(), dep); err != nil {
		t.Fatalf("update deployment status: %v", err)
	}
}

// rolledOut is the status of a Deployment whose one replica is updated,
// ready and available.
func rolledOut(generation int64) appsv1.DeploymentStatus {
	return appsv1.DeploymentStatus{
		ObservedGeneration: generation,
		Replicas:           1, UpdatedReplicas: 1, ReadyReplicas: 1, AvailableReplicas: 1,
		Conditions: []appsv1.DeploymentCondition{
			{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable",
				LastUpdateTime: metav1.Now(), LastTransitionTime: metav1.Now()},
			{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable",
				LastUpdateTime: metav1.Now(), LastTransitionTime: metav1.Now()},
		},
	}
}

// pastDeadline is the status of a Deployment whose new pods never became
// ready within progressDeadlineSeconds.
func pastDeadline(generation int64) appsv1.DeploymentStatus {
	return appsv1.DeploymentStatus{
		ObservedGeneration: generation,
		Replicas:           1, UpdatedReplicas: 1, UnavailableReplicas: 1,
		Conditions: []appsv1.DeploymentCondition{
			{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionFalse, Reason: "MinimumReplicasUnavailable",
				LastUpdateTime: metav1.Now(), LastTransitionTime: metav1.Now()},
			{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded",
				Message:        `ReplicaSet "app-5d4f" has timed out progressing.`,
				LastUpdateTime: metav1.Now(), LastTransitionTime: metav1.Now()},
		},
	}
}

func createConfigMap(t *testing.T, ns, name string) {
	t.Helper()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: map[string]string{"k": "v"}}
	if err := cp.Client.Create(context.Background(), cm); err != nil {
		t.Fatalf("create configmap: %v", err)
	}
}

// Widget is a kind kstatus knows nothing about: it reports status.phase.
const (
	widgetGroup      = "health.test.tide.dev"
	widgetAPIVersion = widgetGroup + "/v1"
)

// ensureWidgetCRD installs the Widget CRD, once for all tests, and waits
// until it is served.
func ensureWidgetCRD(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   map[string]any{"name": "widgets." + widgetGroup},
		"spec": map[string]any{
			"group": widgetGroup,
			"scope": "Namespaced",
			"names": map[string]any{"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
			"versions": []any{map[string]any{
				"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type": "object", "x-kubernetes-preserve-unknown-fields": true,
				}},
			}},
		},
	}}
	if err := cp.Client.Create(ctx, crd); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create widget CRD: %v", err)
	}
	NewWithT(t).Eventually(func() (string, error) {
		got := &unstructured.Unstructured{}
		got.SetGroupVersionKind(crd.GroupVersionKind())
		if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(crd), got); err != nil {
			return "", err
		}
		conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
		for _, c := range conds {
			if c := c.(map[string]any); c["type"] == "Established" {
				return c["status"].(string), nil
			}
		}
		return "", nil
	}, testkit.Timeout, 100*time.Millisecond).Should(Equal("True"), "widget CRD not established")
}

func widgetRef(ns, name string) inventory.ObjectRef {
	return inventory.ObjectRef{Group: widgetGroup, Version: "v1", Kind: "Widget", Namespace: ns, Name: name}
}

// createWidget creates a Widget in a phase. The client learns the new kind
// from discovery, so the first create may have to be retried.
func createWidget(t *testing.T, ns, name, phase string) {
	t.Helper()
	w := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": widgetAPIVersion, "kind": "Widget",
		"metadata": map[string]any{"namespace": ns, "name": name},
		"status":   map[string]any{"phase": phase, "message": "widget is " + phase},
	}}
	NewWithT(t).Eventually(func() error {
		return cp.Client.Create(context.Background(), w.DeepCopy())
	}, testkit.Timeout, 100*time.Millisecond).Should(Succeed())
}

// setPhase writes a Widget's status.phase, as its controller would.
func setPhase(t *testing.T, ns, name, phase string) {
	t.Helper()
	ctx := context.Background()
	w := &unstructured.Unstructured{}
	w.SetAPIVersion(widgetAPIVersion)
	w.SetKind("Widget")
	if err := cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, w); err != nil {
		t.Fatalf("get widget: %v", err)
	}
	if err := unstructured.SetNestedMap(w.Object, map[string]any{"phase": phase, "message": "widget is " + phase}, "status"); err != nil {
		t.Fatal(err)
	}
	if err := cp.Client.Update(ctx, w); err != nil {
		t.Fatalf("update widget: %v", err)
	}
}
