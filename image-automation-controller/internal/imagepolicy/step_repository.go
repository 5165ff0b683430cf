package imagepolicy

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/registry"
	"github.com/tidegitops/tide/skeleton"
)

// getRepository reads the ImageRepository of spec.imageRepositoryRef,
// if this policy may use it. Missing or denied, the policy waits: the
// repository's creation (watched) or a change of its namespace's labels
// (looked at again after a while) can admit it.
func (r *Reconciler) getRepository(ctx context.Context, s *scope) error {
	obj := s.obj
	key := types.NamespacedName{Namespace: obj.Spec.ImageRepositoryRef.Namespace, Name: obj.Spec.ImageRepositoryRef.Name}
	if key.Namespace == "" {
		key.Namespace = obj.Namespace
	}
	if err := r.admitted(ctx, obj, key, nil, true); err != nil {
		return err
	}
	repo := &imagev1.ImageRepository{}
	if err := r.Get(ctx, key, repo); err != nil {
		if apierrors.IsNotFound(err) {
			return skeleton.Wait(r.dependencyRequeue(), imagev1.DependencyNotReadyReason,
				"referenced ImageRepository '%s' does not exist: create it, or fix spec.imageRepositoryRef", key)
		}
		return skeleton.Retry(imagev1.DependencyNotReadyReason, err)
	}
	if err := r.admitted(ctx, obj, key, repo, false); err != nil {
		return err
	}
	image, err := registry.ParseImage(repo.Spec.Image, repo.Spec.Insecure)
	if err != nil {
		return skeleton.Stall(imagev1.ImageURLInvalidReason, "ImageRepository '%s': %s", key, err.Error())
	}
	s.repo, s.image = repo, image
	return nil
}
