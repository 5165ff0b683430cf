package kustomization

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/kustomize-controller/build"
	"github.com/tidegitops/tide/kustomize-controller/internal/drift"
	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// build runs kustomize on spec.path of the unpacked artifact, then what
// Flux does before applying: spec.postBuild substitution and
// spec.commonMetadata, and the refusal of SOPS-encrypted objects. Nothing
// reaches the cluster from a build that failed in any way. A run that may
// rely on the last full check (lastCheck) builds nothing when what the
// build reads is unchanged (reuseBuild), and skips the apply when it builds
// the same objects.
func (r *Reconciler) build(ctx context.Context, s *scope) error {
	obj := s.obj
	// The variables are read first, since they are inputs of the build;
	// failing to read them is reported after the build, as before.
	values, varsErr := build.Vars(ctx, r.Client, obj)
	var vars string
	var check drift.Check
	mayRely := false
	if varsErr == nil {
		vars = digestVars(values)
		if check, mayRely = r.lastCheck(ctx, s); mayRely && r.reuseBuild(ctx, s, check, vars) {
			return nil
		}
	}
	opts := build.OptionsFor(&obj.Spec)
	opts.NoRemoteBases = r.NoRemoteBases
	opts.Labels = build.OwnerLabels(obj)
	r.builds.runs.Add(1)
	objects, inputs, err := build.BuildInputs(s.root, opts)
	if err != nil {
		return retryLater(obj, kustomizev1.BuildFailedReason, "revision %s: %s", s.artifact.Revision, err)
	}
	if varsErr != nil {
		return retryLater(obj, kustomizev1.BuildFailedReason, "%s", varsErr)
	}
	if objects, err = r.postBuild(s, objects, values); err != nil {
		return err
	}
	s.objects = objects
	if s.buildDigest, err = digestOf(objects); err != nil {
		return err
	}
	r.rememberBuild(s, inputs, vars)
	if mayRely && check.Digest == s.buildDigest {
		r.skipApply(ctx, s, check, inventory.New(s.objects))
	}
	return nil
}

// postBuild runs build.PostBuild with the variables of spec.postBuild:
// substitution, then commonMetadata, and the refusal of SOPS ciphertext.
func (r *Reconciler) postBuild(s *scope, objects []*unstructured.Unstructured, vars map[string]string) ([]*unstructured.Unstructured, error) {
	objects, err := build.PostBuild(objects, &s.obj.Spec, vars, build.PostBuildOptions{NotStrict: r.NotStrictSubstitutions})
	var encrypted *build.EncryptedError
	if errors.As(err, &encrypted) {
		// Flux reports this from its apply, hence its reason. (With
		// spec.decryption the spec step has stopped already.)
		return nil, retryLater(s.obj, kustomizev1.ReconciliationFailedReason, "revision %s: %s",
			s.artifact.Revision, encrypted.Explain("nothing was applied"))
	}
	if err != nil {
		return nil, retryLater(s.obj, kustomizev1.BuildFailedReason, "revision %s: %s", s.artifact.Revision, err)
	}
	return objects, nil
}

// digestOf identifies a build's output in status.history.
func digestOf(objects []*unstructured.Unstructured) (string, error) {
	h := sha256.New()
	for _, o := range objects {
		data, err := json.Marshal(o.Object) // map keys come out sorted
		if err != nil {
			return "", fmt.Errorf("hash built objects: %w", err)
		}
		h.Write(data)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
