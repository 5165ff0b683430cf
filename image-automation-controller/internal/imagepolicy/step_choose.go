package imagepolicy

import (
	"context"
	"errors"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/policy"
	"github.com/tidegitops/tide/image-automation-controller/internal/tagstore"
	"github.com/tidegitops/tide/skeleton"
)

// choose picks the latest tag of the repository's last good scan. Until
// the repository has scanned its current image there is nothing to pick
// from: the policy waits (the scan reconciles it at once). A policy that
// picks nothing keeps its last latestRef and stalls until the tags or the
// policy change.
func (r *Reconciler) choose(_ context.Context, s *scope) error {
	repo := s.repo
	key := tagstore.Key{Namespace: repo.Namespace, Name: repo.Name}
	if repo.Status.LastScanResult == nil || repo.Status.CanonicalImageName != s.image.String() {
		return skeleton.Wait(r.dependencyRequeue(), imagev1.DependencyNotReadyReason,
			"ImageRepository '%s/%s' has not scanned %s yet%s", repo.Namespace, repo.Name, repo.Spec.Image, repoState(repo))
	}
	tags, err := r.Tags.Tags(key)
	if err != nil {
		return skeleton.Retry(imagev1.ReadOperationFailedReason, err)
	}
	if tags == nil {
		return skeleton.Wait(r.dependencyRequeue(), imagev1.DependencyNotReadyReason,
			"no tags in the store for ImageRepository '%s/%s' yet: waiting for its next scan", repo.Namespace, repo.Name)
	}
	tag, err := s.policy.Latest(tags)
	if errors.Is(err, policy.ErrNoMatch) || errors.Is(err, policy.ErrInvalidTag) {
		return skeleton.Stall(metav1.StatusFailure, "%s", err.Error())
	}
	if err != nil {
		return err
	}
	s.tag = tag
	return nil
}

// repoState adds what keeps a repository from scanning, when it says.
func repoState(repo *imagev1.ImageRepository) string {
	if c := conditions.Get(repo, meta.ReadyCondition); c != nil && c.Status == metav1.ConditionFalse {
		return ": it is not ready (" + c.Reason + ": " + c.Message + ")"
	}
	return ": waiting for its scan"
}
