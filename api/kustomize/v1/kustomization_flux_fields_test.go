package v1_test

import (
	"context"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// The fields Flux's main branch added or renamed, as a user writes them in
// YAML: they must be stored as written, with Flux's defaults, and what Flux
// refuses must be refused.

// rawKustomization is a minimal Kustomization as unstructured YAML, with
// extra spec fields, so that a test sends exactly what a user's file holds.
func rawKustomization(ns string, spec map[string]any) *unstructured.Unstructured {
	full := map[string]any{
		"interval":  "10m",
		"prune":     true,
		"sourceRef": map[string]any{"kind": "GitRepository", "name": "fleet"},
	}
	for k, v := range spec {
		full[k] = v
	}
	obj := &unstructured.Unstructured{Object: map[string]any{"spec": full}}
	obj.SetGroupVersionKind(kustomizev1.GroupVersion.WithKind(kustomizev1.KustomizationKind))
	obj.SetNamespace(ns)
	obj.SetGenerateName("flux-main-")
	return obj
}

func TestKustomizationFluxMainFieldsAccepted(t *testing.T) {
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	obj := rawKustomization(ns, map[string]any{
		"ignore": []any{map[string]any{
			"paths":  []any{"/spec/replicas"},
			"target": map[string]any{"kind": "Deployment", "labelSelector": "app=web"},
		}},
		"buildMetadata": []any{"originAnnotations", "transformerAnnotations"},
		"postBuild": map[string]any{
			"substituteStrategy": "Always",
			"substituteFrom":     []any{map[string]any{"kind": "ConfigMap", "name": "vars"}},
		},
		// Flux 2.9 lets a CEL health check leave out the kind.
		"healthCheckExprs": []any{map[string]any{"apiVersion": "example.com/v1", "current": "true"}},
	})
	if err := cp.Client.Create(ctx, obj); err != nil {
		t.Fatalf("create with spec.ignore, buildMetadata and substituteStrategy: %v", err)
	}

	got := &kustomizev1.Kustomization{}
	if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), got); err != nil {
		t.Fatal(err)
	}
	if len(got.Spec.Ignore) != 1 || got.Spec.Ignore[0].Paths[0] != "/spec/replicas" ||
		got.Spec.Ignore[0].Target == nil || got.Spec.Ignore[0].Target.LabelSelector != "app=web" {
		t.Errorf("spec.ignore read back = %+v, want the rule as written", got.Spec.Ignore)
	}
	want := []kustomizev1.BuildMetadataOption{kustomizev1.BuildMetadataOriginAnnotations, kustomizev1.BuildMetadataTransformerAnnotations}
	if len(got.Spec.BuildMetadata) != 2 || got.Spec.BuildMetadata[0] != want[0] || got.Spec.BuildMetadata[1] != want[1] {
		t.Errorf("spec.buildMetadata = %v, want %v", got.Spec.BuildMetadata, want)
	}
	if got.GetSubstituteStrategy() != kustomizev1.SubstituteStrategyAlways {
		t.Errorf("substitute strategy = %q, want Always", got.GetSubstituteStrategy())
	}
	// Flux's defaults, applied by the apiserver.
	if got.Spec.PostBuild.SubstituteFrom[0].Optional {
		t.Error("spec.postBuild.substituteFrom[0].optional defaulted to true, want false")
	}
	if got.Status.ObservedGeneration != -1 {
		t.Errorf("status.observedGeneration = %d, want the default -1", got.Status.ObservedGeneration)
	}
	if got.Spec.HealthCheckExprs[0].Kind != "" {
		t.Errorf("healthCheckExprs[0].kind = %q, want it left empty", got.Spec.HealthCheckExprs[0].Kind)
	}
}

// Flux gives substituteStrategy no apiserver default: an unset field stays
// unset in the object, and the controller reads it as WithVariables.
func TestKustomizationSubstituteStrategyUnsetStaysUnset(t *testing.T) {
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	obj := rawKustomization(ns, map[string]any{"postBuild": map[string]any{"substitute": map[string]any{"A": "b"}}})
	if err := cp.Client.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
	raw := &unstructured.Unstructured{}
	raw.SetGroupVersionKind(obj.GroupVersionKind())
	if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), raw); err != nil {
		t.Fatal(err)
	}
	if v, found, _ := unstructured.NestedFieldNoCopy(raw.Object, "spec", "postBuild", "substituteStrategy"); found {
		t.Errorf("spec.postBuild.substituteStrategy = %v, want no default written (as in Flux)", v)
	}
	typed := &kustomizev1.Kustomization{}
	if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), typed); err != nil {
		t.Fatal(err)
	}
	if typed.GetSubstituteStrategy() != kustomizev1.SubstituteStrategyWithVariables {
		t.Errorf("effective strategy = %q, want WithVariables", typed.GetSubstituteStrategy())
	}
}

func TestKustomizationFluxMainFieldsValidation(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	tests := []struct {
		name      string
		spec      map[string]any
		wantError string // a part of the apiserver's message; empty: accepted
	}{
		{"substitute strategy WithVariables", map[string]any{"postBuild": map[string]any{"substituteStrategy": "WithVariables"}}, ""},
		{"unknown substitute strategy", map[string]any{"postBuild": map[string]any{"substituteStrategy": "Never"}},
			"spec.postBuild.substituteStrategy"},
		{"lowercase substitute strategy", map[string]any{"postBuild": map[string]any{"substituteStrategy": "always"}},
			"spec.postBuild.substituteStrategy"},
		{"managedByLabel build metadata", map[string]any{"buildMetadata": []any{"managedByLabel"}}, "spec.buildMetadata[0]"},
		{"ignore rule without paths", map[string]any{"ignore": []any{map[string]any{"target": map[string]any{"kind": "Deployment"}}}},
			"spec.ignore[0].paths"},
		{"health check without current", map[string]any{"healthCheckExprs": []any{map[string]any{"apiVersion": "example.com/v1"}}},
			"spec.healthCheckExprs[0].current"},
		{"kubeconfig with both refs", map[string]any{"kubeConfig": map[string]any{
			"secretRef": map[string]any{"name": "kc"}, "configMapRef": map[string]any{"name": "kc"}}},
			"exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be specified"},
		{"kubeconfig with no ref", map[string]any{"kubeConfig": map[string]any{}},
			"exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be specified"},
		{"kubeconfig from a secret", map[string]any{"kubeConfig": map[string]any{"secretRef": map[string]any{"name": "kc"}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := cp.Client.Create(context.Background(), rawKustomization(ns, tt.spec))
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

// driftIgnoreRules was renamed to ignore with no alias, as in Flux: the old
// field is unknown, so strict clients (kubectl's default) are refused and
// lenient ones have it pruned, never half-honoured.
func TestKustomizationDriftIgnoreRulesIsUnknown(t *testing.T) {
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	old := map[string]any{"driftIgnoreRules": []any{map[string]any{"paths": []any{"/spec/replicas"}}}}

	err := cp.Client.Create(ctx, rawKustomization(ns, old), client.FieldValidation(metav1.FieldValidationStrict))
	if err == nil || !strings.Contains(err.Error(), `unknown field "spec.driftIgnoreRules"`) {
		t.Fatalf("strict create with spec.driftIgnoreRules: %v, want it refused as an unknown field", err)
	}

	obj := rawKustomization(ns, old)
	if err := cp.Client.Create(ctx, obj, client.FieldValidation(metav1.FieldValidationIgnore)); err != nil {
		t.Fatal(err)
	}
	raw := &unstructured.Unstructured{}
	raw.SetGroupVersionKind(obj.GroupVersionKind())
	if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), raw); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := unstructured.NestedFieldNoCopy(raw.Object, "spec", "driftIgnoreRules"); found {
		t.Error("spec.driftIgnoreRules was stored, want it pruned as an unknown field")
	}
}

// kubectl get fluxcd (and all, fluxcd-appliers) lists Kustomizations, as
// with Flux, and the CRD itself is kept out of post-build substitution.
func TestKustomizationDiscoveryAndCRDMetadata(t *testing.T) {
	dc, err := discovery.NewDiscoveryClientForConfig(cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	list, err := dc.ServerResourcesForGroupVersion(kustomizev1.GroupVersion.String())
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range list.APIResources {
		if r.Name != "kustomizations" {
			continue
		}
		found = true
		if strings.Join(r.ShortNames, ",") != "ks" {
			t.Errorf("short names = %v, want [ks]", r.ShortNames)
		}
		if strings.Join(r.Categories, ",") != "all,fluxcd,fluxcd-appliers" {
			t.Errorf("categories = %v, want all, fluxcd, fluxcd-appliers", r.Categories)
		}
	}
	if !found {
		t.Fatalf("kustomizations not served in %s", kustomizev1.GroupVersion)
	}

	crd := &unstructured.Unstructured{}
	crd.SetGroupVersionKind(schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"})
	if err := cp.Client.Get(context.Background(), client.ObjectKey{Name: "kustomizations.kustomize.toolkit.fluxcd.io"}, crd); err != nil {
		t.Fatal(err)
	}
	if v := crd.GetAnnotations()["kustomize.toolkit.fluxcd.io/substitute"]; v != kustomizev1.DisabledValue {
		t.Errorf("CRD annotation kustomize.toolkit.fluxcd.io/substitute = %q, want disabled", v)
	}
}

// The remote-cluster reference keeps Flux's shape: a Secret key reference.
func TestKustomizationKubeConfigSecretRoundTrip(t *testing.T) {
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	obj := newKustomization(ns, func(k *kustomizev1.Kustomization) {
		k.Spec.KubeConfig = &kustomizev1.KubeConfigReference{SecretRef: &meta.SecretKeyReference{Name: "kc", Key: "config"}}
	})
	if err := cp.Client.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
	got := &kustomizev1.Kustomization{}
	if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), got); err != nil {
		t.Fatal(err)
	}
	if got.Spec.KubeConfig == nil || got.Spec.KubeConfig.SecretRef == nil || got.Spec.KubeConfig.SecretRef.Key != "config" {
		t.Errorf("spec.kubeConfig = %+v, want secretRef kc/config", got.Spec.KubeConfig)
	}
}
