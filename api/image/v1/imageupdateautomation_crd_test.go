package v1_test

import (
	"testing"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/testkit"
)

// An ImageUpdateAutomation gets Flux's defaults: a GitRepository source and
// the Setters strategy, even when spec.update is left out.
func TestImageUpdateAutomationDefaults(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	got := &imagev1.ImageUpdateAutomation{}
	if err := create(t, ns, imagev1.ImageUpdateAutomationKind, `
spec:
  interval: 30m
  sourceRef:
    name: fleet
  git:
    commit:
      author: {email: bot@example.com}
      signingKey:
        secretRef: {name: signing}
`, got); err != nil {
		t.Fatal(err)
	}
	if got.Spec.SourceRef.Kind != "GitRepository" {
		t.Errorf("spec.sourceRef.kind = %q, want the default GitRepository", got.Spec.SourceRef.Kind)
	}
	if got.Spec.Update == nil || got.Spec.Update.Strategy != imagev1.UpdateStrategySetters {
		t.Errorf("spec.update = %+v, want the default {strategy: Setters}", got.Spec.Update)
	}
	if got.GetUpdateStrategy() != imagev1.UpdateStrategySetters || got.GetUpdatePath() != "" {
		t.Errorf("GetUpdateStrategy = %q, GetUpdatePath = %q, want Setters and the root", got.GetUpdateStrategy(), got.GetUpdatePath())
	}
	if got.Spec.GitSpec.Commit.SigningKey.Type != "" || got.Spec.GitSpec.Commit.SigningKey.GetType() != imagev1.SigningKeyTypeGPG {
		t.Errorf("signingKey.type = %q, want unset, read as gpg", got.Spec.GitSpec.Commit.SigningKey.Type)
	}
	if got.Status.ObservedGeneration != -1 {
		t.Errorf("status.observedGeneration = %d, want the default -1", got.Status.ObservedGeneration)
	}
	if got.GetPolicyChangeDelay() != 0 {
		t.Errorf("GetPolicyChangeDelay = %v, want 0 when unset", got.GetPolicyChangeDelay())
	}
}

func TestImageUpdateAutomationValidation(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	const base = "interval: 30m\n  sourceRef: {name: fleet, namespace: flux-system}\n  "
	const commit = "git:\n    commit: {author: {email: bot@example.com}}\n    "
	tests := []struct {
		name, spec, wantError string
	}{
		{"minimal", "", ""},
		{"bucket source", "sourceRef: {kind: Bucket, name: fleet}", "spec.sourceRef.kind"},
		{"unknown strategy", "update: {strategy: Kustomize}", "spec.update.strategy"},
		{"path", "update: {path: ./clusters/dev}", ""},
		{"policy change delay", "policyChangeDelay: 30s", ""},
		{"delay in days", "policyChangeDelay: 1d", "spec.policyChangeDelay"},
		{"push branch and refspec", commit + "push: {branch: auto, refspec: 'refs/heads/auto:refs/heads/main', options: {ci.skip: ''}}", ""},
		{"forced refspec", commit + "push: {refspec: '+refs/heads/auto:refs/heads/main'}", "spec.git.push.refspec"},
		{"deleting refspec", commit + "push: {refspec: ':refs/heads/main'}", "spec.git.push.refspec"},
		{"ssh signing key", "git:\n    commit: {author: {email: bot@example.com}, signingKey: {type: ssh, secretRef: {name: k}}}", ""},
		{"x509 signing key", "git:\n    commit: {author: {email: bot@example.com}, signingKey: {type: x509, secretRef: {name: k}}}", "spec.git.commit.signingKey.type"},
		{"author without email", "git:\n    commit: {author: {name: bot}}", "spec.git.commit.author.email"},
		{"checkout without ref", "git:\n    checkout: {}\n    commit: {author: {email: bot@example.com}}", "spec.git.checkout.ref"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := base + tt.spec
			if tt.name == "bucket source" {
				spec = "interval: 30m\n  " + tt.spec
			}
			expectVerdict(t, ns, imagev1.ImageUpdateAutomationKind, "spec:\n  "+spec+"\n", tt.wantError)
		})
	}
	expectVerdict(t, ns, imagev1.ImageUpdateAutomationKind, "spec:\n  sourceRef: {name: fleet}\n", "spec.interval")
}
