package gitrepository

import (
	"context"

	"github.com/fluxcd/pkg/runtime/conditions"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/gitclient"
)

// readTrustedKeys reads the Secret of spec.verify and fingerprints the
// public keys in it. It runs before the up-to-date decision, even when
// nothing new was pushed, because a rotated or revoked key must take effect
// on the revision already served, not only on the next one.
func (r *Reconciler) readTrustedKeys(ctx context.Context, s *scope) error {
	v := s.obj.Spec.Verification
	if v == nil {
		return nil
	}
	secret, err := r.secret(ctx, s.obj, v.SecretRef.Name, "spec.verify.secretRef")
	if err != nil {
		return r.unverified(s, err)
	}
	s.trustedKeys = secret.Data
	s.keysFingerprint = gitclient.KeysFingerprint(secret.Data)
	return nil
}

// verificationCurrent reports whether the stored artifact's signature was
// verified with the current mode and the keys whose fingerprint is given.
// A failed verification leaves no fingerprint in status, so it is tried
// again whatever the keys.
func verificationCurrent(obj *sourcev1.GitRepository, fingerprint string) bool {
	v, st := obj.Spec.Verification, obj.Status
	if v == nil {
		return true
	}
	return ptrValue(st.SourceVerificationMode) == v.GetMode() &&
		st.SourceVerificationFingerprint != "" && st.SourceVerificationFingerprint == fingerprint &&
		conditions.IsTrue(obj, sourcev1.SourceVerifiedCondition)
}
