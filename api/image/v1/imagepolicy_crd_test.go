package v1_test

import (
	"testing"
	"time"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/testkit"
)

// An ImagePolicy gets Flux's defaults: no digest reflection (so no interval
// and no requeue of its own) and ascending order.
func TestImagePolicyDefaults(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	got := &imagev1.ImagePolicy{}
	if err := create(t, ns, imagev1.ImagePolicyKind, `
spec:
  imageRepositoryRef:
    name: app
  policy:
    alphabetical: {}
`, got); err != nil {
		t.Fatal(err)
	}
	if got.Spec.DigestReflectionPolicy != imagev1.ReflectNever {
		t.Errorf("spec.digestReflectionPolicy = %q, want the default Never", got.Spec.DigestReflectionPolicy)
	}
	if got.Spec.Policy.Alphabetical.Order != imagev1.OrderAsc {
		t.Errorf("spec.policy.alphabetical.order = %q, want the default asc", got.Spec.Policy.Alphabetical.Order)
	}
	if got.GetRequeueAfter() != 0 {
		t.Errorf("GetRequeueAfter = %v, want 0: only its ImageRepository's changes reconcile it", got.GetRequeueAfter())
	}
	if got.Status.ObservedGeneration != -1 {
		t.Errorf("status.observedGeneration = %d, want the default -1", got.Status.ObservedGeneration)
	}
}

// With digestReflectionPolicy Always the policy reconciles on its own, every
// spec.interval, to see a tag moved to a new digest.
func TestImagePolicyDigestInterval(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	got := &imagev1.ImagePolicy{}
	if err := create(t, ns, imagev1.ImagePolicyKind, `
spec:
  imageRepositoryRef: {name: app}
  policy:
    numerical: {order: desc}
  digestReflectionPolicy: Always
  interval: 3m
`, got); err != nil {
		t.Fatal(err)
	}
	if got.GetRequeueAfter() != 3*time.Minute {
		t.Errorf("GetRequeueAfter = %v, want spec.interval 3m", got.GetRequeueAfter())
	}
}

// Flux's CEL rules tie spec.interval to digestReflectionPolicy Always, both
// ways; the enums are Flux's.
func TestImagePolicyValidation(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	const base = "imageRepositoryRef: {name: app, namespace: images}\n  policy: {semver: {range: '>=1.0.0'}}\n  "
	tests := []struct {
		name, spec, wantError string
	}{
		{"semver", "", ""},
		{"interval without Always", "interval: 5m", "spec.interval is only accepted when spec.digestReflectionPolicy is set to 'Always'"},
		{"interval with IfNotPresent", "digestReflectionPolicy: IfNotPresent\n  interval: 5m", "only accepted when"},
		{"Always without interval", "digestReflectionPolicy: Always", "spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'"},
		{"Always with interval", "digestReflectionPolicy: Always\n  interval: 5m", ""},
		{"IfNotPresent", "digestReflectionPolicy: IfNotPresent", ""},
		{"unknown reflection", "digestReflectionPolicy: Sometimes", "spec.digestReflectionPolicy"},
		{"filter with extract", "filterTags: {pattern: '^main-(?P<ts>[0-9]+)$', extract: '$ts'}", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectVerdict(t, ns, imagev1.ImagePolicyKind, "spec:\n  "+base+tt.spec+"\n", tt.wantError)
		})
	}
	for _, order := range []struct{ policy, order, wantError string }{
		{"alphabetical", "desc", ""},
		{"numerical", "asc", ""},
		{"alphabetical", "up", "spec.policy.alphabetical.order"},
		{"numerical", "down", "spec.policy.numerical.order"},
	} {
		t.Run(order.policy+" "+order.order, func(t *testing.T) {
			expectVerdict(t, ns, imagev1.ImagePolicyKind, "spec:\n  imageRepositoryRef: {name: app}\n  policy: {"+
				order.policy+": {order: "+order.order+"}}\n", order.wantError)
		})
	}
	expectVerdict(t, ns, imagev1.ImagePolicyKind, "spec:\n  policy: {semver: {range: '1.x'}}\n", "spec.imageRepositoryRef")
	expectVerdict(t, ns, imagev1.ImagePolicyKind, "spec:\n  imageRepositoryRef: {name: app}\n  policy: {semver: {}}\n", "spec.policy.semver.range")
}
