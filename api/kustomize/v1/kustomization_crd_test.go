package v1_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

func newKustomization(ns string, mutate func(*kustomizev1.Kustomization)) *kustomizev1.Kustomization {
	obj := &kustomizev1.Kustomization{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "apps-", Namespace: ns},
		Spec: kustomizev1.KustomizationSpec{
			Interval:  metav1.Duration{Duration: 10 * time.Minute},
			Path:      "./apps",
			Prune:     true,
			SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: "GitRepository", Name: "fleet"},
		},
	}
	if mutate != nil {
		mutate(obj)
	}
	return obj
}

func TestKustomizationDefaults(t *testing.T) {
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	obj := newKustomization(ns, func(k *kustomizev1.Kustomization) {
		k.Spec.PostBuild = &kustomizev1.PostBuild{SubstituteFrom: []kustomizev1.SubstituteReference{{Kind: "ConfigMap", Name: "vars"}}}
	})
	if err := cp.Client.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
	got := &kustomizev1.Kustomization{}
	if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), got); err != nil {
		t.Fatal(err)
	}
	if got.Status.ObservedGeneration != -1 {
		t.Errorf("status.observedGeneration = %d, want the default -1", got.Status.ObservedGeneration)
	}
	if got.GetDeletionPolicy() != kustomizev1.DeletionPolicyMirrorPrune {
		t.Errorf("deletion policy = %q, want MirrorPrune when unset", got.GetDeletionPolicy())
	}
	if got.GetTimeout() != 10*time.Minute-30*time.Second {
		t.Errorf("timeout = %v, want interval less 30s when unset", got.GetTimeout())
	}
}

func TestKustomizationValidation(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	tests := []struct {
		name      string
		mutate    func(*kustomizev1.Kustomization)
		wantError string // a part of the apiserver's message; empty: accepted
	}{
		{"minimal", nil, ""},
		{"OCIRepository source", func(k *kustomizev1.Kustomization) { k.Spec.SourceRef.Kind = "OCIRepository" }, ""},
		{"HelmRepository source", func(k *kustomizev1.Kustomization) { k.Spec.SourceRef.Kind = "HelmRepository" }, "spec.sourceRef.kind"},
		{"unknown deletion policy", func(k *kustomizev1.Kustomization) { k.Spec.DeletionPolicy = "Keep" }, "spec.deletionPolicy"},
		{"orphan deletion policy", func(k *kustomizev1.Kustomization) { k.Spec.DeletionPolicy = "Orphan" }, ""},
		{"target namespace over 63 characters", func(k *kustomizev1.Kustomization) {
			k.Spec.TargetNamespace = strings.Repeat("n", 64)
		}, "spec.targetNamespace"},
		{"substitute from a Pod", func(k *kustomizev1.Kustomization) {
			k.Spec.PostBuild = &kustomizev1.PostBuild{SubstituteFrom: []kustomizev1.SubstituteReference{{Kind: "Pod", Name: "x"}}}
		}, "spec.postBuild.substituteFrom[0].kind"},
		{"decryption other than sops", func(k *kustomizev1.Kustomization) {
			k.Spec.Decryption = &kustomizev1.Decryption{Provider: "vault"}
		}, "spec.decryption.provider"},
		{"retry interval of 90s", func(k *kustomizev1.Kustomization) {
			k.Spec.RetryInterval = &metav1.Duration{Duration: 90 * time.Second}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := cp.Client.Create(context.Background(), newKustomization(ns, tt.mutate))
			switch {
			case tt.wantError == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case tt.wantError != "" && err == nil:
				t.Fatalf("accepted, want rejected on %q", tt.wantError)
			case tt.wantError != "" && !strings.Contains(err.Error(), tt.wantError):
				t.Fatalf("rejected with %q, want a message naming %q", err, tt.wantError)
			}
		})
	}
}

func TestKustomizationPruneIsRequired(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	// The Go type always sends prune (it has no omitempty), so send raw
	// fields without it, as a user's YAML could.
	obj := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{
		"interval":  "5m",
		"sourceRef": map[string]any{"kind": "GitRepository", "name": "fleet"},
	}}}
	obj.SetGroupVersionKind(kustomizev1.GroupVersion.WithKind(kustomizev1.KustomizationKind))
	obj.SetNamespace(ns)
	obj.SetGenerateName("raw-")
	err := cp.Client.Create(context.Background(), obj)
	if err == nil || !strings.Contains(err.Error(), "spec.prune") {
		t.Fatalf("create without spec.prune: %v, want it rejected as required", err)
	}
}

func TestKustomizationStatusSubresource(t *testing.T) {
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	obj := newKustomization(ns, nil)
	if err := cp.Client.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
	revision := "main@sha1:0123456789abcdef0123456789abcdef01234567"
	obj.Status.ObservedGeneration = obj.Generation
	obj.Status.LastAppliedRevision = revision
	obj.Status.LastAttemptedRevision = revision
	obj.Status.Inventory = &kustomizev1.ResourceInventory{Entries: []kustomizev1.ResourceRef{
		{ID: ns + "_app_apps_Deployment", Version: "v1"},
		{ID: "_" + ns + "__Namespace", Version: "v1"},
	}}
	obj.Status.History.Upsert("sha256:abc", time.Now(), 2*time.Second, meta.ReconciliationSucceededReason,
		map[string]string{"revision": revision})
	obj.Status.Conditions = []metav1.Condition{{
		Type: meta.ReadyCondition, Status: metav1.ConditionFalse, Reason: kustomizev1.HealthCheckFailedReason,
		Message: "Deployment/app: rollout failed", LastTransitionTime: metav1.Now(),
	}}
	if err := cp.Client.Status().Update(ctx, obj); err != nil {
		t.Fatalf("write status: %v", err)
	}

	got := &kustomizev1.Kustomization{}
	if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), got); err != nil {
		t.Fatal(err)
	}
	if got.Status.LastAppliedRevision != revision || got.Status.Inventory == nil || len(got.Status.Inventory.Entries) != 2 {
		t.Errorf("status read back = %+v, want the revision and two inventory entries", got.Status)
	}
	if len(got.Status.History) != 1 || got.Status.History[0].Metadata["revision"] != revision {
		t.Errorf("status.history = %+v, want one snapshot of %s", got.Status.History, revision)
	}

	rows, err := testkit.TableRows(ctx, cp.Config, kustomizev1.GroupVersion.WithResource("kustomizations"), ns)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0]["Ready"] != "False" || rows[0]["Status"] != "Deployment/app: rollout failed" {
		t.Fatalf("kubectl get kustomizations = %v, want one row with Ready False and the message", rows)
	}
	if _, ok := rows[0]["Age"]; !ok {
		t.Errorf("no Age column: %v", rows[0])
	}
}
