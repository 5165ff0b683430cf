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

func newOCIRepository(ns string, mutate func(*sourcev1.OCIRepository)) *sourcev1.OCIRepository {
	obj := &sourcev1.OCIRepository{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "manifests-", Namespace: ns},
		Spec: sourcev1.OCIRepositorySpec{
			URL:      "oci://registry.example.invalid/fleet/manifests",
			Interval: &metav1.Duration{Duration: 5 * time.Minute},
		},
	}
	if mutate != nil {
		mutate(obj)
	}
	return obj
}

// Flux's OCIRepository schema has no defaults in spec: provider, timeout,
// ref and layer operation stay unset and are read as generic, 60s, the
// 'latest' tag and extract in code. Only spec.verify.provider defaults.
func TestOCIRepositoryDefaults(t *testing.T) {
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	key := createYAML(t, ns, `
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: manifests
spec:
  url: oci://registry.example.invalid/fleet/manifests
  interval: 5m
  layerSelector:
    mediaType: application/vnd.cncf.flux.content.v1.tar+gzip
  verify:
    secretRef:
      name: cosign-keys
`)

	got := &sourcev1.OCIRepository{}
	if err := cp.Client.Get(ctx, key, got); err != nil {
		t.Fatal(err)
	}
	if got.Spec.Provider != "" || got.GetProvider() != sourcev1.GenericOCIProvider {
		t.Errorf("spec.provider = %q (GetProvider %q), want unset, read as generic", got.Spec.Provider, got.GetProvider())
	}
	if got.Spec.Timeout != nil || got.GetTimeout() != 60*time.Second {
		t.Errorf("spec.timeout = %v (GetTimeout %v), want unset, read as 60s", got.Spec.Timeout, got.GetTimeout())
	}
	if got.Spec.LayerSelector.Operation != "" || got.GetLayerOperation() != sourcev1.OCILayerExtract {
		t.Errorf("spec.layerSelector.operation = %q (GetLayerOperation %q), want unset, read as extract",
			got.Spec.LayerSelector.Operation, got.GetLayerOperation())
	}
	if got.GetLayerMediaType() != sourcev1.OCIArtifactContentMediaType {
		t.Errorf("GetLayerMediaType = %q, want the selector's media type", got.GetLayerMediaType())
	}
	if got.Spec.Verify.Provider != sourcev1.VerificationProviderCosign {
		t.Errorf("spec.verify.provider = %q, want the default cosign", got.Spec.Verify.Provider)
	}
	if got.GetRequeueAfter() != 5*time.Minute {
		t.Errorf("GetRequeueAfter = %v, want the interval", got.GetRequeueAfter())
	}
	if got.Status.ObservedGeneration != -1 {
		t.Errorf("status.observedGeneration = %d, want the default -1", got.Status.ObservedGeneration)
	}
}

func TestOCIRepositoryValidation(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	tests := []struct {
		name      string
		mutate    func(*sourcev1.OCIRepository)
		wantError string // a part of the apiserver's message; empty: accepted
	}{
		{"oci url", nil, ""},
		{"no url", func(o *sourcev1.OCIRepository) { o.Spec.URL = "" }, "spec.url is required"},
		{"no interval", func(o *sourcev1.OCIRepository) { o.Spec.Interval = nil }, "spec.interval is required"},
		{"https url", func(o *sourcev1.OCIRepository) { o.Spec.URL = "https://registry.example.invalid/x" }, "spec.url"},
		{"copy operation", func(o *sourcev1.OCIRepository) {
			o.Spec.LayerSelector = &sourcev1.OCILayerSelector{Operation: sourcev1.OCILayerCopy}
		}, ""},
		{"unknown operation", func(o *sourcev1.OCIRepository) {
			o.Spec.LayerSelector = &sourcev1.OCILayerSelector{Operation: "unpack"}
		}, "spec.layerSelector.operation"},
		{"unknown provider", func(o *sourcev1.OCIRepository) { o.Spec.Provider = "github" }, "spec.provider"},
		{"azure provider", func(o *sourcev1.OCIRepository) { o.Spec.Provider = sourcev1.AzureOCIProvider }, ""},
		{"timeout in hours", func(o *sourcev1.OCIRepository) {
			o.Spec.Timeout = &metav1.Duration{Duration: time.Hour}
		}, "spec.timeout"},
		{"semver ref with a filter", func(o *sourcev1.OCIRepository) {
			o.Spec.Reference = &sourcev1.OCIRepositoryRef{SemVer: ">=1.0.0", SemverFilter: ".*-rc.*"}
		}, ""},
		{"notation verification", func(o *sourcev1.OCIRepository) {
			o.Spec.Verify = &sourcev1.OCIRepositoryVerification{Provider: sourcev1.VerificationProviderNotation}
		}, ""},
		{"unknown verify provider", func(o *sourcev1.OCIRepository) {
			o.Spec.Verify = &sourcev1.OCIRepositoryVerification{Provider: "gpg"}
		}, "spec.verify.provider"},
		{"keyless identity", func(o *sourcev1.OCIRepository) {
			o.Spec.Verify = &sourcev1.OCIRepositoryVerification{
				Provider: sourcev1.VerificationProviderCosign,
				MatchOIDCIdentity: []sourcev1.OIDCIdentityMatch{{
					Issuer: "^https://token.actions.githubusercontent.com$", Subject: "^https://github.com/org/fleet/.*$",
				}},
			}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectCreate(t, newOCIRepository(ns, tt.mutate), tt.wantError)
		})
	}
}

func TestOCIRepositoryStatusAndColumns(t *testing.T) {
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	obj := newOCIRepository(ns, nil)
	if err := cp.Client.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
	obj.Status.ObservedGeneration = obj.Generation
	obj.Status.ObservedLayerSelector = &sourcev1.OCILayerSelector{Operation: sourcev1.OCILayerCopy}
	obj.Status.Artifact = &meta.Artifact{
		Path:           "ocirepository/ns/manifests/2c26b46b.tar.gz",
		URL:            "http://source-controller.flux-system.svc/ocirepository/ns/manifests/2c26b46b.tar.gz",
		Revision:       "latest@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
		Digest:         "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
		LastUpdateTime: metav1.Now(),
		Metadata:       map[string]string{sourcev1.OCIRevisionAnnotation: "main@sha1:0123456789abcdef0123456789abcdef01234567"},
	}
	obj.Status.Conditions = []metav1.Condition{{
		Type: meta.ReadyCondition, Status: metav1.ConditionFalse, Reason: sourcev1.OCIPullFailedReason,
		Message: "tag 'latest' not found", LastTransitionTime: metav1.Now(),
	}}
	if err := cp.Client.Status().Update(ctx, obj); err != nil {
		t.Fatalf("write status: %v", err)
	}

	got := &sourcev1.OCIRepository{}
	if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), got); err != nil {
		t.Fatal(err)
	}
	if got.Status.ObservedLayerSelector == nil || got.Status.ObservedLayerSelector.Operation != sourcev1.OCILayerCopy {
		t.Errorf("status.observedLayerSelector = %+v, want the one written", got.Status.ObservedLayerSelector)
	}
	if got.GetArtifact() == nil || got.GetArtifact().Metadata[sourcev1.OCIRevisionAnnotation] == "" {
		t.Errorf("status.artifact = %+v, want it with its origin revision metadata", got.Status.Artifact)
	}
	expectColumns(t, "ocirepositories", ns, map[string]string{
		"Name": got.Name, "URL": "oci://registry.example.invalid/fleet/manifests",
		"Ready": "False", "Status": "tag 'latest' not found",
	})
}
