package gitrepository

import (
	"context"
	"fmt"
	"strings"

	"github.com/fluxcd/pkg/runtime/conditions"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/gitclient"
)

// verify checks the signatures spec.verify asks for against the trusted keys
// of its Secret. An unverified commit is never archived: the last verified
// artifact keeps being served.
func (r *Reconciler) verify(ctx context.Context, s *scope) error {
	v := s.obj.Spec.Verification
	if v == nil {
		conditions.Delete(s.obj, sourcev1.SourceVerifiedCondition)
		s.obj.Status.SourceVerificationMode = nil
		return nil
	}
	if s.upToDate {
		return nil // verified when it was stored, with the same mode
	}
	secret, err := r.secret(ctx, s.obj, v.SecretRef.Name, "spec.verify.secretRef")
	if err != nil {
		return r.unverified(s, err)
	}
	var verified []string
	if v.VerifyTag() {
		if ref(s.obj).Tag == "" && ref(s.obj).SemVer == "" {
			return r.unverified(s, skeleton.Stall(sourcev1.VerificationError,
				"spec.verify.mode '%s' needs a tag: set spec.ref.tag or spec.ref.semver, or use mode HEAD", v.GetMode()))
		}
		key, err := gitclient.VerifyTag(s.commit, secret.Data)
		if err != nil {
			return r.unverified(s, r.verificationError(s.obj, err))
		}
		verified = append(verified, fmt.Sprintf("tag signed with key '%s'", key))
	}
	if v.VerifyHEAD() {
		key, err := gitclient.VerifyCommit(s.commit, secret.Data)
		if err != nil {
			return r.unverified(s, r.verificationError(s.obj, err))
		}
		verified = append(verified, fmt.Sprintf("commit '%s' signed with key '%s'", s.commit.Hash, key))
	}
	mode := v.GetMode()
	s.obj.Status.SourceVerificationMode = &mode
	conditions.MarkTrue(s.obj, sourcev1.SourceVerifiedCondition, "Succeeded", "verified %s", strings.Join(verified, " and "))
	return nil
}

// verificationError waits for the next interval: a signed commit pushed to
// the branch, or new keys in the Secret, fix it without touching the object.
func (r *Reconciler) verificationError(obj *sourcev1.GitRepository, err error) error {
	return skeleton.Wait(obj.GetRequeueAfter(), sourcev1.VerificationError,
		"%s: sign the commit with a trusted key, or add its public key to the secret '%s'",
		err.Error(), obj.Spec.Verification.SecretRef.Name)
}

func (r *Reconciler) unverified(s *scope, err error) error {
	conditions.MarkFalse(s.obj, sourcev1.SourceVerifiedCondition, skeleton.ReasonOf(err), "%s", err.Error())
	return err
}
