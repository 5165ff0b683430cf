package v1_test

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// status.sourceVerificationFingerprint, new on Flux's main branch, is kept
// by the status subresource next to the verification mode, so that a key
// rotation can be told from an unchanged policy.
func TestGitRepositoryVerificationFingerprintIsStored(t *testing.T) {
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	obj := newGitRepository(ns, func(o *sourcev1.GitRepository) {
		o.Spec.Verification = &sourcev1.GitRepositoryVerification{Mode: sourcev1.ModeGitHEAD, SecretRef: meta.LocalObjectReference{Name: "keys"}}
	})
	if err := cp.Client.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
	mode := sourcev1.ModeGitHEAD
	obj.Status.SourceVerificationMode = &mode
	obj.Status.SourceVerificationFingerprint = "sha256:4f2b0c5d"
	if err := cp.Client.Status().Update(ctx, obj); err != nil {
		t.Fatalf("write status: %v", err)
	}

	got := &sourcev1.GitRepository{}
	if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), got); err != nil {
		t.Fatal(err)
	}
	if got.Status.SourceVerificationFingerprint != "sha256:4f2b0c5d" {
		t.Errorf("status.sourceVerificationFingerprint = %q, want the value written", got.Status.SourceVerificationFingerprint)
	}
	if got.Status.SourceVerificationMode == nil || *got.Status.SourceVerificationMode != sourcev1.ModeGitHEAD {
		t.Errorf("status.sourceVerificationMode = %v, want HEAD", got.Status.SourceVerificationMode)
	}
}
