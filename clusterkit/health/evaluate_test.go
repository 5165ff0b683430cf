package health_test

import (
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/clusterkit/health"
	"github.com/tidegitops/tide/clusterkit/inventory"
)

func toUnstructured(t *testing.T, obj runtime.Object) *unstructured.Unstructured {
	t.Helper()
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	return &unstructured.Unstructured{Object: m}
}

func deploymentWith(status appsv1.DeploymentStatus) *appsv1.Deployment {
	dep := deployment("ns", "app")
	dep.Status = status
	return dep
}

func widget(status map[string]any) *unstructured.Unstructured {
	w := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": widgetAPIVersion, "kind": "Widget",
		"metadata": map[string]any{"namespace": "ns", "name": "w"},
	}}
	if status != nil {
		w.Object["status"] = status
	}
	return w
}

// How one object's health reads, without a cluster.
func TestEvaluate(t *testing.T) {
	phases := []kustomizev1.CustomHealthCheck{{
		APIVersion: widgetAPIVersion, Kind: "Widget",
		HealthCheckExpressions: kustomizev1.HealthCheckExpressions{
			Current:    "self.status.phase == 'Ready'",
			Failed:     "self.status.phase == 'Failed'",
			InProgress: "self.status.phase == 'Pending'",
		},
	}}
	tests := []struct {
		name        string
		obj         func(t *testing.T) *unstructured.Unstructured
		exprs       []kustomizev1.CustomHealthCheck
		wantStatus  string
		wantMessage string
	}{
		{
			name: "ConfigMap has no status logic and is Current",
			obj: func(t *testing.T) *unstructured.Unstructured {
				return toUnstructured(t, &corev1.ConfigMap{
					TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
					ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "cm"},
				})
			},
			wantStatus: health.Current, wantMessage: "Resource is always ready",
		},
		{
			name: "Deployment without status is InProgress",
			obj: func(t *testing.T) *unstructured.Unstructured {
				return toUnstructured(t, deploymentWith(appsv1.DeploymentStatus{}))
			},
			wantStatus: health.InProgress, wantMessage: "Replicas: 0/1",
		},
		{
			name:       "Deployment rolled out is Current",
			obj:        func(t *testing.T) *unstructured.Unstructured { return toUnstructured(t, deploymentWith(rolledOut(1))) },
			wantStatus: health.Current,
		},
		{
			name: "Deployment whose status is of an older generation is InProgress",
			obj: func(t *testing.T) *unstructured.Unstructured {
				dep := deploymentWith(rolledOut(1))
				dep.Generation = 2
				return toUnstructured(t, dep)
			},
			wantStatus: health.InProgress, wantMessage: "Deployment generation is 2, but latest observed generation is 1",
		},
		{
			name: "Deployment past its progress deadline is Failed",
			obj: func(t *testing.T) *unstructured.Unstructured {
				return toUnstructured(t, deploymentWith(pastDeadline(1)))
			},
			wantStatus:  health.Failed,
			wantMessage: `Progress deadline exceeded: ReplicaSet "app-5d4f" has timed out progressing.`,
		},
		{
			name: "object with Stalled=True is Failed",
			obj: func(t *testing.T) *unstructured.Unstructured {
				return widget(map[string]any{"conditions": []any{map[string]any{
					"type": "Stalled", "status": "True", "reason": "Invalid", "message": "spec.size must be positive",
				}}})
			},
			wantStatus: health.Failed, wantMessage: "spec.size must be positive",
		},
		{
			name:       "custom kind without expressions is Current for kstatus",
			obj:        func(t *testing.T) *unstructured.Unstructured { return widget(map[string]any{"phase": "Pending"}) },
			wantStatus: health.Current,
		},
		{
			name:       "current expression true",
			obj:        func(t *testing.T) *unstructured.Unstructured { return widget(map[string]any{"phase": "Ready"}) },
			exprs:      phases,
			wantStatus: health.Current, wantMessage: `current expression "self.status.phase == 'Ready'" is true`,
		},
		{
			name: "failed expression true, with the object's message",
			obj: func(t *testing.T) *unstructured.Unstructured {
				return widget(map[string]any{"phase": "Failed", "message": "disk full"})
			},
			exprs:      phases,
			wantStatus: health.Failed, wantMessage: `failed expression "self.status.phase == 'Failed'" is true: disk full`,
		},
		{
			name:       "inProgress expression true",
			obj:        func(t *testing.T) *unstructured.Unstructured { return widget(map[string]any{"phase": "Pending"}) },
			exprs:      phases,
			wantStatus: health.InProgress, wantMessage: `inProgress expression "self.status.phase == 'Pending'" is true`,
		},
		{
			name:       "no expression true is InProgress",
			obj:        func(t *testing.T) *unstructured.Unstructured { return widget(map[string]any{"phase": "Scaling"}) },
			exprs:      phases,
			wantStatus: health.InProgress, wantMessage: `waiting for current expression "self.status.phase == 'Ready'"`,
		},
		{
			name:       "missing field is InProgress and says why",
			obj:        func(t *testing.T) *unstructured.Unstructured { return widget(nil) },
			exprs:      phases,
			wantStatus: health.InProgress, wantMessage: "current expression: no such key: status",
		},
		{
			name: "optional field access for fields not yet written",
			obj:  func(t *testing.T) *unstructured.Unstructured { return widget(map[string]any{}) },
			exprs: []kustomizev1.CustomHealthCheck{{APIVersion: widgetAPIVersion, Kind: "Widget",
				HealthCheckExpressions: kustomizev1.HealthCheckExpressions{
					Current: "status.?conditions.orValue([]).exists(c, c.type == 'Ready' && c.status == 'True')",
				}}},
			wantStatus: health.InProgress, wantMessage: "waiting for current expression",
		},
		{
			name: "numbers compare across int and double",
			obj: func(t *testing.T) *unstructured.Unstructured {
				return widget(map[string]any{"readyReplicas": int64(3)})
			},
			exprs: []kustomizev1.CustomHealthCheck{{APIVersion: widgetAPIVersion, Kind: "Widget",
				HealthCheckExpressions: kustomizev1.HealthCheckExpressions{Current: "self.status.readyReplicas >= 2.5"}}},
			wantStatus: health.Current,
		},
		{
			name: "expressions override kstatus for built-in kinds",
			obj: func(t *testing.T) *unstructured.Unstructured {
				return toUnstructured(t, deploymentWith(appsv1.DeploymentStatus{}))
			},
			exprs: []kustomizev1.CustomHealthCheck{{APIVersion: "apps/v1", Kind: "Deployment",
				HealthCheckExpressions: kustomizev1.HealthCheckExpressions{Current: "self.metadata.name == 'app'"}}},
			wantStatus: health.Current,
		},
		{
			name: "expressions for another version do not apply",
			obj:  func(t *testing.T) *unstructured.Unstructured { return widget(map[string]any{"phase": "Pending"}) },
			exprs: []kustomizev1.CustomHealthCheck{{APIVersion: widgetGroup + "/v2", Kind: "Widget",
				HealthCheckExpressions: kustomizev1.HealthCheckExpressions{Current: "false"}}},
			wantStatus: health.Current,
		},
		{
			name: "the first entry for a kind wins",
			obj:  func(t *testing.T) *unstructured.Unstructured { return widget(map[string]any{"phase": "Ready"}) },
			exprs: append(append([]kustomizev1.CustomHealthCheck{}, phases...), kustomizev1.CustomHealthCheck{
				APIVersion: widgetAPIVersion, Kind: "Widget",
				HealthCheckExpressions: kustomizev1.HealthCheckExpressions{Current: "false"}}),
			wantStatus: health.Current,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			obj := tt.obj(t)
			got, err := health.Evaluate(obj, tt.exprs)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got.Ref).To(Equal(inventory.RefOf(obj)))
			g.Expect(got.Status).To(Equal(tt.wantStatus), "message: %s", got.Message)
			g.Expect(got.Message).To(ContainSubstring(tt.wantMessage))
		})
	}
}

// The errors read as condition messages.
func TestErrorMessages(t *testing.T) {
	app := inventory.ObjectRef{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "ns", Name: "app"}
	crb := inventory.ObjectRef{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBinding", Name: "admin"}
	cm := inventory.ObjectRef{Version: "v1", Kind: "ConfigMap", Namespace: "ns", Name: "settings"}
	tests := []struct {
		err  error
		want string
	}{
		{
			err: &health.UnhealthyError{TimedOut: true, Results: []health.Result{
				{Ref: app, Status: health.InProgress, Message: "Available: 0/1"},
				{Ref: cm, Status: health.NotFound, Message: "object not found"},
			}},
			want: "timeout waiting for: [Deployment/ns/app status: 'InProgress': Available: 0/1, " +
				"ConfigMap/ns/settings status: 'NotFound': object not found]",
		},
		{
			err:  &health.UnhealthyError{Results: []health.Result{{Ref: crb, Status: health.Terminating}}},
			want: "not healthy: [ClusterRoleBinding/admin status: 'Terminating']",
		},
		{
			err: &health.FailedError{Results: []health.Result{
				{Ref: app, Status: health.Failed, Message: "Progress deadline exceeded"},
				{Ref: crb, Status: health.Failed},
			}},
			want: "Deployment/ns/app failed: Progress deadline exceeded (see `kubectl -n ns describe deployment.apps app`); " +
				"ClusterRoleBinding/admin failed: status is Failed (see `kubectl describe clusterrolebinding.rbac.authorization.k8s.io admin`)",
		},
		{
			err:  &health.AbortedError{Reason: "revision main@sha1:abc is waiting"},
			want: "health check aborted: revision main@sha1:abc is waiting",
		},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("message\n got: %s\nwant: %s", got, tt.want)
		}
	}
}
