package gitrepository

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// Rotating or revoking the keys of spec.verify takes effect on the revision
// already served, without waiting for a new commit, as in Flux (the
// verification fingerprint in status); keys that did not change cost no
// clone.
func TestReconcileVerificationKeyRotation(t *testing.T) {
	srv := testkit.StartGitServer(t)
	srv.NewRepo(t, "rotated").Write("a.yaml", "a: 0\n").Commit("unsigned base")
	signer, signerKey := testkit.NewSSHKey(t)
	_, otherKey := testkit.NewSSHKey(t)
	_, thirdKey := testkit.NewSSHKey(t)
	w := testkit.CloneWork(t, srv.HTTPURL("rotated"))
	w.Write("a.yaml", "a: 1\n").Commit("signed", nil, testkit.SSHSigner{Signer: signer})
	w.Push()
	ns := testkit.NewNamespace(t, env.CP.Client)
	createSecret(t, ns, "keys", map[string][]byte{"dev.sshpub": signerKey})
	allKeys := [][]byte{signerKey, otherKey, thirdKey}

	obj := newGitRepository(ns, srv.HTTPURL("rotated"), func(o *sourcev1.GitRepository) {
		o.Spec.Verification = &sourcev1.GitRepositoryVerification{SecretRef: meta.LocalObjectReference{Name: "keys"}}
	})
	create(t, obj)
	waitReady(t, obj)
	good := *obj.Status.Artifact
	first := obj.Status.SourceVerificationFingerprint

	t.Run("a signed commit is verified and the keys' fingerprint stored", func(t *testing.T) {
		wantVerified(t, obj)
		if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(first) {
			t.Errorf("status.sourceVerificationFingerprint = %q, want sha256:<64 hex digits>", first)
		}
	})

	t.Run("unchanged keys cost no clone, whatever their data keys are named", func(t *testing.T) {
		packs := srv.UploadPacks()
		requestReconcile(t, obj)
		updateSecret(t, ns, "keys", map[string][]byte{"alice.sshpub": signerKey, "owners.txt": []byte("alice\n")})
		requestReconcile(t, obj)
		requestReconcile(t, obj)
		if got := srv.UploadPacks() - packs; got != 0 {
			t.Errorf("%d upload-pack requests with the same keys, want 0 (no clone, no verification)", got)
		}
		if obj.Status.SourceVerificationFingerprint != first {
			t.Errorf("fingerprint %q changed to %q with the same keys", first, obj.Status.SourceVerificationFingerprint)
		}
		wantVerified(t, obj)
	})

	t.Run("keys rotated to a set that still holds the signer", func(t *testing.T) {
		packs := srv.UploadPacks()
		updateSecret(t, ns, "keys", map[string][]byte{"team.sshpub": append(slices.Clone(otherKey), signerKey...)})
		requestReconcile(t, obj)
		if srv.UploadPacks() == packs {
			t.Errorf("no fetch after the keys changed: the served revision was not verified again")
		}
		if fp := obj.Status.SourceVerificationFingerprint; fp == "" || fp == first {
			t.Errorf("status.sourceVerificationFingerprint = %q after a rotation, want a new one (was %q)", fp, first)
		}
		wantVerified(t, obj)
		if !sameArtifact(obj.Status.Artifact, &good) {
			t.Errorf("a re-verification replaced the artifact: %+v -> %+v", good, *obj.Status.Artifact)
		}
	})

	t.Run("keys replaced by ones that did not sign the served commit", func(t *testing.T) {
		updateSecret(t, ns, "keys", map[string][]byte{"team.sshpub": append(slices.Clone(otherKey), thirdKey...)})
		ready := waitNotReady(t, obj, sourcev1.VerificationError)
		t.Logf("message: %q", ready.Message)
		verified := conditions.Get(obj, sourcev1.SourceVerifiedCondition)
		if verified == nil || verified.Status != "False" || verified.Reason != sourcev1.VerificationError {
			t.Errorf("SourceVerified = %+v, want False with reason %s", verified, sourcev1.VerificationError)
		}
		for _, want := range []string{good.Revision, "secret 'keys'", "add the signer's public key"} {
			if !strings.Contains(ready.Message, want) {
				t.Errorf("Ready message %q does not say %q", ready.Message, want)
			}
		}
		if fp := obj.Status.SourceVerificationFingerprint; fp != "" {
			t.Errorf("status.sourceVerificationFingerprint = %q after a failed verification, want none", fp)
		}
		if !sameArtifact(obj.Status.Artifact, &good) {
			t.Errorf("artifact changed after a failed verification: %+v", obj.Status.Artifact)
		}
		download(t, &good) // the last good artifact is still served
		waitEventReason(t, obj, sourcev1.VerificationError)
		noKeyMaterial(t, obj, allKeys)

		// Trusting the signer again verifies it again, with no push.
		updateSecret(t, ns, "keys", map[string][]byte{"dev.sshpub": signerKey})
		waitReady(t, obj)
		wantVerified(t, obj)
		if fp := obj.Status.SourceVerificationFingerprint; fp != first {
			t.Errorf("status.sourceVerificationFingerprint = %q with the first keys back, want %q", fp, first)
		}
	})

	t.Run("removing spec.verify clears the fingerprint and SourceVerified", func(t *testing.T) {
		if obj.Status.SourceVerificationFingerprint == "" {
			t.Fatalf("no fingerprint stored before spec.verify is removed")
		}
		packs := srv.UploadPacks()
		ctx := context.Background()
		if err := env.CP.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			t.Fatal(err)
		}
		obj.Spec.Verification = nil
		if err := env.CP.Client.Update(ctx, obj); err != nil {
			t.Fatal(err)
		}
		waitReady(t, obj)
		if fp := obj.Status.SourceVerificationFingerprint; fp != "" {
			t.Errorf("status.sourceVerificationFingerprint = %q without spec.verify, want none", fp)
		}
		if m := obj.Status.SourceVerificationMode; m != nil {
			t.Errorf("status.sourceVerificationMode = %q without spec.verify, want none", *m)
		}
		if c := conditions.Get(obj, sourcev1.SourceVerifiedCondition); c != nil {
			t.Errorf("SourceVerified = %+v without spec.verify, want no condition", c)
		}
		if !sameArtifact(obj.Status.Artifact, &good) {
			t.Errorf("artifact changed when spec.verify was removed: %+v", obj.Status.Artifact)
		}
		if got := srv.UploadPacks() - packs; got != 0 {
			t.Errorf("%d upload-pack requests to drop verification, want 0", got)
		}
	})
}

func wantVerified(t *testing.T, obj *sourcev1.GitRepository) {
	t.Helper()
	if !conditions.IsReady(obj) {
		t.Errorf("Ready is not True: %+v", conditions.Get(obj, meta.ReadyCondition))
	}
	if c := conditions.Get(obj, sourcev1.SourceVerifiedCondition); c == nil || c.Status != "True" {
		t.Errorf("SourceVerified = %+v, want True", c)
	}
}

// noKeyMaterial checks that no key appears in the object's status or events:
// only fingerprints may.
func noKeyMaterial(t *testing.T, obj *sourcev1.GitRepository, keys [][]byte) {
	t.Helper()
	status, err := json.Marshal(obj.Status)
	if err != nil {
		t.Fatal(err)
	}
	var events corev1.EventList
	if err := env.CP.Client.List(context.Background(), &events, client.InNamespace(obj.Namespace)); err != nil {
		t.Fatal(err)
	}
	seen := [][]byte{status}
	for _, e := range events.Items {
		seen = append(seen, []byte(e.Message))
	}
	for _, k := range keys {
		// The base64 body of an authorized_keys line is the key itself.
		body := bytes.Fields(k)[1]
		for _, s := range seen {
			if bytes.Contains(s, body) {
				t.Errorf("key material found in status or events: %s", s)
			}
		}
	}
}
