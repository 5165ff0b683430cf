package gitrepository

import (
	"context"
	"fmt"
	"strings"

	"github.com/fluxcd/pkg/runtime/conditions"
	ctrl "sigs.k8s.io/controller-runtime"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/gitclient"
	"github.com/tidegitops/tide/skeleton"
)

// verify checks the signatures spec.verify asks for against the trusted keys
// of its Secret, on a new commit, or on the served one when the mode or the
// keys changed since it was verified. An unverified commit is never
// archived: the last verified artifact keeps being served.
func (r *Reconciler) verify(ctx context.Context, s *scope) error {
	v := s.obj.Spec.Verification
	if v == nil {
		conditions.Delete(s.obj, sourcev1.SourceVerifiedCondition)
		s.obj.Status.SourceVerificationMode = nil
		s.obj.Status.SourceVerificationFingerprint = ""
		return nil
	}
	if s.upToDate && !s.reverify {
		return nil // verified when it was stored, with the same mode and keys
	}
	if s.upToDate && s.commit.Revision != s.obj.Status.Artifact.Revision {
		// The ref moved between resolve and checkout: what was fetched is a
		// new commit, to verify and then archive like any other.
		s.upToDate = false
	}
	var verified []string
	if v.VerifyTag() {
		if ref(s.obj).Tag == "" && ref(s.obj).SemVer == "" {
			return r.unverified(s, skeleton.Stall(sourcev1.VerificationError,
				"spec.verify.mode '%s' needs a tag: set spec.ref.tag or spec.ref.semver, or use mode HEAD", v.GetMode()))
		}
		key, err := gitclient.VerifyTag(s.commit, s.trustedKeys)
		if err != nil {
			return r.unverified(s, r.verificationError(s, err))
		}
		verified = append(verified, fmt.Sprintf("tag signed with key '%s'", key))
	}
	if v.VerifyHEAD() {
		key, err := gitclient.VerifyCommit(s.commit, s.trustedKeys)
		if err != nil {
			return r.unverified(s, r.verificationError(s, err))
		}
		verified = append(verified, fmt.Sprintf("commit '%s' signed with key '%s'", s.commit.Hash, key))
	}
	mode := v.GetMode()
	s.obj.Status.SourceVerificationMode = &mode
	s.obj.Status.SourceVerificationFingerprint = s.keysFingerprint
	conditions.MarkTrue(s.obj, sourcev1.SourceVerifiedCondition, "Succeeded", "verified %s", strings.Join(verified, " and "))
	if s.reverify {
		ctrl.LoggerFrom(ctx).Info("verified the served revision again with the current keys",
			"revision", s.commit.Revision, "keysFingerprint", s.keysFingerprint)
	}
	return nil
}

// verificationError waits for the next interval: a signed commit pushed to
// the branch, or new keys in the Secret, fix it without touching the object.
// When the keys changed under a revision already served, the message says
// so, since no push explains the failure.
func (r *Reconciler) verificationError(s *scope, err error) error {
	obj := s.obj
	name := obj.Spec.Verification.SecretRef.Name
	fix := fmt.Sprintf("sign the commit with a trusted key, or add its public key to the secret '%s'", name)
	if s.upToDate {
		fix = fmt.Sprintf("the served revision '%s' is not verified by the keys now in the secret '%s' "+
			"(its artifact stays stored): add the signer's public key to the secret, "+
			"or push a commit signed with a trusted key", obj.Status.Artifact.Revision, name)
	}
	return skeleton.Wait(obj.GetRequeueAfter(), sourcev1.VerificationError, "%s: %s", err.Error(), fix)
}

// unverified marks the failure and forgets the keys of the last success, so
// that the next reconciliation verifies again whatever the keys are then.
func (r *Reconciler) unverified(s *scope, err error) error {
	s.obj.Status.SourceVerificationFingerprint = ""
	conditions.MarkFalse(s.obj, sourcev1.SourceVerifiedCondition, skeleton.ReasonOf(err), "%s", err.Error())
	return err
}
