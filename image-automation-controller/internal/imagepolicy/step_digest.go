package imagepolicy

import (
	"context"
	"errors"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/registry"
	"github.com/tidegitops/tide/skeleton"
)

// reflectDigest completes the pick with its digest as
// spec.digestReflectionPolicy says (Never: none; IfNotPresent: read once
// per picked tag; Always: read every run, at spec.interval), then records
// it, the ref before going to observedPreviousRef. A digest that cannot be
// read leaves status.latestRef as it was.
func (r *Reconciler) reflectDigest(ctx context.Context, s *scope) error {
	obj := s.obj
	latest := &imagev1.ImageRef{Name: s.repo.Spec.Image, Tag: s.tag}
	current := obj.Status.LatestRef
	read := false
	switch obj.GetDigestReflectionPolicy() {
	case imagev1.ReflectIfNotPresent:
		read = current == nil || current.Name != latest.Name || current.Tag != latest.Tag || current.Digest == ""
		if !read {
			latest.Digest = current.Digest
		}
	case imagev1.ReflectAlways:
		read = true
	}
	if read {
		digest, err := r.digest(ctx, s)
		if err != nil {
			return err
		}
		latest.Digest = digest
	}
	if current == nil || *current != *latest {
		obj.Status.ObservedPreviousRef = current
		obj.Status.LatestRef = latest
	}
	return nil
}

func (r *Reconciler) digest(ctx context.Context, s *scope) (string, error) {
	opts, key, err := registry.OptionsFor(ctx, r.Client, s.repo)
	if err == nil {
		var client *registry.Client
		if client, err = r.Clients.Get(opts, key); err == nil {
			ctx, cancel := context.WithTimeout(ctx, s.repo.GetTimeout())
			defer cancel()
			var digest string
			if digest, err = client.Digest(ctx, s.image, s.tag); err == nil {
				return digest, nil
			}
		}
	}
	msg := "failed fetching digest of " + s.repo.Spec.Image + ":" + s.tag + ": " + err.Error()
	if _, ok := errors.AsType[*registry.SecretError](err); ok || errors.Is(err, registry.ErrInvalidCredentials) {
		return "", skeleton.Stall(imagev1.AuthenticationFailedReason, "%s", msg)
	}
	return "", skeleton.Retry(imagev1.ReadOperationFailedReason, errors.New(msg))
}
