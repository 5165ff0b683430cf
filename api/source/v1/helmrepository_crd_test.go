package v1_test

import (
	"context"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

func newHelmRepository(ns string, mutate func(*sourcev1.HelmRepository)) *sourcev1.HelmRepository {
	obj := &sourcev1.HelmRepository{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "charts-", Namespace: ns},
		Spec: sourcev1.HelmRepositorySpec{
			URL:      "https://charts.example.invalid",
			Interval: metav1.Duration{Duration: 10 * time.Minute},
		},
	}
	if mutate != nil {
		mutate(obj)
	}
	return obj
}

// Flux's schema defaults only spec.provider; spec.type and spec.timeout stay
// unset and mean 'default' and 60s in code.
func TestHelmRepositoryDefaults(t *testing.T) {
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	obj := newHelmRepository(ns, nil)
	if err := cp.Client.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}

	got := &sourcev1.HelmRepository{}
	if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), got); err != nil {
		t.Fatal(err)
	}
	if got.Spec.Provider != sourcev1.HelmProviderGeneric {
		t.Errorf("spec.provider = %q, want the default generic", got.Spec.Provider)
	}
	if got.Spec.Type != "" || got.GetType() != sourcev1.HelmRepositoryTypeDefault || got.IsOCI() {
		t.Errorf("spec.type = %q (GetType %q), want unset, read as default", got.Spec.Type, got.GetType())
	}
	if got.Spec.Timeout != nil || got.GetTimeout() != 60*time.Second {
		t.Errorf("spec.timeout = %v (GetTimeout %v), want unset, read as 60s", got.Spec.Timeout, got.GetTimeout())
	}
	if got.Status.ObservedGeneration != -1 {
		t.Errorf("status.observedGeneration = %d, want the default -1", got.Status.ObservedGeneration)
	}
}

func TestHelmRepositoryValidation(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	tests := []struct {
		name      string
		mutate    func(*sourcev1.HelmRepository)
		wantError string // a part of the apiserver's message; empty: accepted
	}{
		{"https url", nil, ""},
		{"oci type and url", func(o *sourcev1.HelmRepository) {
			o.Spec.Type, o.Spec.URL = sourcev1.HelmRepositoryTypeOCI, "oci://registry.example.invalid/charts"
		}, ""},
		{"explicit default type", func(o *sourcev1.HelmRepository) { o.Spec.Type = sourcev1.HelmRepositoryTypeDefault }, ""},
		{"unknown type", func(o *sourcev1.HelmRepository) { o.Spec.Type = "git" }, "spec.type"},
		{"ftp url", func(o *sourcev1.HelmRepository) { o.Spec.URL = "ftp://charts.example.invalid" }, "spec.url"},
		{"url without scheme", func(o *sourcev1.HelmRepository) { o.Spec.URL = "charts.example.invalid" }, "spec.url"},
		{"no interval", func(o *sourcev1.HelmRepository) { o.Spec.Interval = metav1.Duration{} }, ""},
		{"timeout in hours", func(o *sourcev1.HelmRepository) {
			o.Spec.Timeout = &metav1.Duration{Duration: time.Hour}
		}, "spec.timeout"},
		{"gcp provider", func(o *sourcev1.HelmRepository) { o.Spec.Provider = sourcev1.HelmProviderGCP }, ""},
		{"unknown provider", func(o *sourcev1.HelmRepository) { o.Spec.Provider = "github" }, "spec.provider"},
		{"accessFrom with a selector", func(o *sourcev1.HelmRepository) {
			o.Spec.AccessFrom = &sourcev1.AccessFrom{NamespaceSelectors: []sourcev1.NamespaceSelector{{MatchLabels: map[string]string{"team": "a"}}}}
		}, ""},
		{"accessFrom without selectors", func(o *sourcev1.HelmRepository) {
			o.Spec.AccessFrom = &sourcev1.AccessFrom{}
		}, "spec.accessFrom.namespaceSelectors"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectCreate(t, newHelmRepository(ns, tt.mutate), tt.wantError)
		})
	}
}

func TestHelmRepositoryStatusAndColumns(t *testing.T) {
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	obj := newHelmRepository(ns, nil)
	if err := cp.Client.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
	obj.Status.ObservedGeneration = obj.Generation
	obj.Status.URL = "http://source-controller.flux-system.svc/helmrepository/ns/charts/index.yaml"
	obj.Status.Artifact = &meta.Artifact{
		Path:           "helmrepository/ns/charts/index-2c26b46b.yaml",
		URL:            "http://source-controller.flux-system.svc/helmrepository/ns/charts/index-2c26b46b.yaml",
		Revision:       "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
		Digest:         "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
		LastUpdateTime: metav1.Now(),
	}
	obj.Status.Conditions = []metav1.Condition{{
		Type: meta.ReadyCondition, Status: metav1.ConditionFalse, Reason: sourcev1.IndexationFailedReason,
		Message: "index.yaml: 401 Unauthorized", LastTransitionTime: metav1.Now(),
	}}
	if err := cp.Client.Status().Update(ctx, obj); err != nil {
		t.Fatalf("write status: %v", err)
	}

	got := &sourcev1.HelmRepository{}
	if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), got); err != nil {
		t.Fatal(err)
	}
	if got.GetArtifact() == nil || got.Status.URL != obj.Status.URL {
		t.Errorf("status = %+v, want the artifact and url written through the status subresource", got.Status)
	}
	expectColumns(t, "helmrepositories", ns, map[string]string{
		"Name": got.Name, "URL": "https://charts.example.invalid",
		"Ready": "False", "Status": "index.yaml: 401 Unauthorized",
	})
}
