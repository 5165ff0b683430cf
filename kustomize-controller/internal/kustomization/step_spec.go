package kustomization

import (
	"context"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/kustomize-controller/build"
	"github.com/tidegitops/tide/skeleton"
)

// decryptionUnsupportedReason: spec.decryption asks for SOPS, which Tide
// does not implement yet.
const decryptionUnsupportedReason = "DecryptionUnsupported"

// checkSpec refuses, before any other work, what the spec asks and this
// controller cannot do right: SOPS decryption (applying the manifests
// undecrypted would put ciphertext into Secrets), a remote cluster reached
// with a cloud identity (spec.kubeConfig.configMapRef: applying to the local
// cluster instead would be wrong), and ignore rules that do not compile.
func (r *Reconciler) checkSpec(_ context.Context, s *scope) error {
	obj := s.obj
	if obj.Spec.Decryption != nil {
		return skeleton.Stall(decryptionUnsupportedReason,
			"spec.decryption is set, and Tide cannot decrypt SOPS-encrypted manifests yet: nothing is applied. "+
				"Keep this Kustomization on Flux's kustomize-controller for now, or remove spec.decryption if its manifests are not encrypted")
	}
	if kc := obj.Spec.KubeConfig; kc != nil && kc.SecretRef == nil {
		return skeleton.Stall(kubeConfigUnsupportedReason, "%s", configMapRefUnsupported)
	}
	ignore, err := build.NewIgnore(obj.Spec.Ignore)
	if err != nil {
		return skeleton.Stall(kustomizev1.ReconciliationFailedReason, "%s: fix it", err)
	}
	s.ignore = ignore
	return nil
}
