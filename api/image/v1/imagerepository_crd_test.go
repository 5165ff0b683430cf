package v1_test

import (
	"slices"
	"testing"
	"time"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/testkit"
)

// An ImageRepository with only an image and an interval gets Flux's schema
// defaults: the cosign signature exclusion and the generic provider.
func TestImageRepositoryDefaults(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	got := &imagev1.ImageRepository{}
	if err := create(t, ns, imagev1.ImageRepositoryKind, `
spec:
  image: ghcr.io/org/app
  interval: 5m
`, got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Spec.ExclusionList, []string{`^.*\.sig$`}) {
		t.Errorf("spec.exclusionList = %q, want Flux's default [^.*\\.sig$]", got.Spec.ExclusionList)
	}
	if got.Spec.Provider != imagev1.GenericProvider {
		t.Errorf("spec.provider = %q, want the default generic", got.Spec.Provider)
	}
	if got.Status.ObservedGeneration != -1 {
		t.Errorf("status.observedGeneration = %d, want the default -1", got.Status.ObservedGeneration)
	}
	if got.GetTimeout() != 5*time.Minute || got.GetRequeueAfter() != 5*time.Minute {
		t.Errorf("GetTimeout = %v, GetRequeueAfter = %v, want both the interval", got.GetTimeout(), got.GetRequeueAfter())
	}
}

// An exclusion list the user gives replaces the default instead of adding
// to it, as in Flux.
func TestImageRepositoryExclusionListReplacesDefault(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	got := &imagev1.ImageRepository{}
	if err := create(t, ns, imagev1.ImageRepositoryKind, `
spec:
  image: ghcr.io/org/app
  interval: 5m
  exclusionList: ["^dev-"]
`, got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.GetExclusionList(), []string{"^dev-"}) {
		t.Errorf("GetExclusionList = %q, want only the given ^dev-", got.GetExclusionList())
	}
}

func TestImageRepositoryValidation(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	many := "["
	for i := range 26 {
		if i > 0 {
			many += ","
		}
		many += `"^x$"`
	}
	many += "]"
	tests := []struct {
		name, spec, wantError string
	}{
		{"aws provider", "provider: aws", ""},
		{"unknown provider", "provider: oci", "spec.provider"},
		{"interval in days", "interval: 1d", "spec.interval"},
		{"timeout in hours", "timeout: 1h", "spec.timeout"},
		{"timeout in seconds", "timeout: 30s", ""},
		{"26 exclusions", "exclusionList: " + many, "spec.exclusionList"},
		{"accessFrom without selectors", "accessFrom: {}", "spec.accessFrom.namespaceSelectors"},
		{"accessFrom matching all", "accessFrom: {namespaceSelectors: [{}]}", ""},
		{"secretRef without name", "secretRef: {}", "spec.secretRef.name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := "image: ghcr.io/org/app\n  interval: 5m\n  " + tt.spec
			if tt.name == "interval in days" {
				spec = "image: ghcr.io/org/app\n  " + tt.spec
			}
			expectVerdict(t, ns, imagev1.ImageRepositoryKind, "spec:\n  "+spec+"\n", tt.wantError)
		})
	}
}
