package ocirepository

import (
	"context"
	"fmt"
	"strings"

	"github.com/fluxcd/pkg/runtime/conditions"
	"github.com/google/go-containerregistry/pkg/name"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
)

// checkSpec stalls on a spec.url that is no OCI repository address and on
// the features Tide does not have: cloud providers' workload identity and
// signature verification. Accepting them and ignoring them would serve
// unverified or unauthenticated content the user believes checked.
func (r *Reconciler) checkSpec(_ context.Context, s *scope) error {
	obj := s.obj
	repo, err := parseURL(obj.Spec.URL, obj.Spec.Insecure)
	if err != nil {
		return failed(obj, sourcev1.FetchFailedCondition, skeleton.Stall(sourcev1.URLInvalidReason,
			"URL validation failed for '%s': %s: fix spec.url", obj.Spec.URL, err.Error()))
	}
	s.repo = repo
	switch obj.Spec.Provider {
	case "", sourcev1.GenericOCIProvider:
	default:
		return failed(obj, sourcev1.FetchFailedCondition, skeleton.Stall(sourcev1.InvalidProviderConfigurationReason,
			"provider '%s' is not supported by Tide yet: use 'generic' (the default) with a docker config Secret in spec.secretRef",
			obj.Spec.Provider))
	}
	if v := obj.Spec.Verify; v != nil {
		err := skeleton.Stall(sourcev1.VerificationError,
			"signature verification (spec.verify, provider '%s') is not supported by Tide yet: remove spec.verify, or reconcile this object with Flux's source-controller",
			v.Provider)
		conditions.MarkFalse(obj, sourcev1.SourceVerifiedCondition, sourcev1.VerificationError, "%s", err.Error())
		return err
	}
	conditions.Delete(obj, sourcev1.SourceVerifiedCondition)
	return nil
}

// parseURL checks spec.url as Flux does: oci://<host>/<repository>, with
// neither tag nor digest (spec.ref says which).
func parseURL(url string, insecure bool) (name.Repository, error) {
	trimmed, ok := strings.CutPrefix(url, sourcev1.OCIRepositoryPrefix)
	if !ok {
		return name.Repository{}, fmt.Errorf("URL must be in format 'oci://<domain>/<org>/<repo>'")
	}
	if _, path, ok := strings.Cut(trimmed, "/"); ok {
		if before, digest, found := strings.Cut(path, "@"); found {
			return name.Repository{}, fmt.Errorf("URL must not contain a digest; remove '@%s' and set spec.ref.digest", digest)
		} else if last := before[strings.LastIndex(before, "/")+1:]; strings.Contains(last, ":") {
			_, tag, _ := strings.Cut(last, ":")
			return name.Repository{}, fmt.Errorf("URL must not contain a tag; remove ':%s'", tag)
		}
	}
	var opts []name.Option
	if insecure {
		opts = append(opts, name.Insecure)
	}
	repo, err := name.NewRepository(trimmed, opts...)
	if err != nil {
		return name.Repository{}, err
	}
	return repo, nil
}
