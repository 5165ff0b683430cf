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
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// build runs kustomize on spec.path of the unpacked artifact, then what
// Flux does before applying: spec.postBuild substitution and
// spec.commonMetadata, and the refusal of SOPS-encrypted objects. Nothing
// reaches the cluster from a build that failed in any way.
func (r *Reconciler) build(ctx context.Context, s *scope) error {
	obj := s.obj
	opts := build.OptionsFor(&obj.Spec)
	opts.NoRemoteBases = r.NoRemoteBases
	opts.Labels = build.OwnerLabels(obj)
	objects, err := build.Build(s.root, opts)
	if err != nil {
		return retryLater(obj, kustomizev1.BuildFailedReason, "revision %s: %s", s.artifact.Revision, err)
	}
	if objects, err = r.postBuild(ctx, s, objects); err != nil {
		return err
	}
	s.objects = objects
	s.buildDigest, err = digestOf(objects)
	return err
}

// postBuild reads the variables of spec.postBuild and runs build.PostBuild:
// substitution, then commonMetadata, and the refusal of SOPS ciphertext.
func (r *Reconciler) postBuild(ctx context.Context, s *scope, objects []*unstructured.Unstructured) ([]*unstructured.Unstructured, error) {
	vars, err := build.Vars(ctx, r.Client, s.obj)
	if err != nil {
		return nil, retryLater(s.obj, kustomizev1.BuildFailedReason, "%s", err)
	}
	objects, err = build.PostBuild(objects, &s.obj.Spec, vars, build.PostBuildOptions{NotStrict: r.NotStrictSubstitutions})
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
