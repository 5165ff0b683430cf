package imagepolicy

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/skeleton"
)

// AccessDeniedReason: the ImageRepository may not be used from this
// policy's namespace (Flux's reason).
const AccessDeniedReason = "AccessDenied"

// admitted applies Flux's rules for a repository in another namespace:
// refused under --no-cross-namespace-refs (checked before the repository
// is read, when before is true), otherwise admitted only when one of the
// repository's spec.accessFrom.namespaceSelectors matches the labels of
// the policy's namespace. A repository in the policy's own namespace is
// always admitted.
func (r *Reconciler) admitted(ctx context.Context, obj *imagev1.ImagePolicy, key types.NamespacedName, repo *imagev1.ImageRepository, before bool) error {
	if key.Namespace == obj.Namespace {
		return nil
	}
	if before {
		if r.NoCrossNamespaceRefs {
			return skeleton.Stall(AccessDeniedReason,
				"cannot use ImageRepository '%s': cross-namespace references are disabled on this controller (--no-cross-namespace-refs): use an ImageRepository in namespace '%s'",
				key, obj.Namespace)
		}
		return nil
	}
	if repo.Spec.AccessFrom == nil || len(repo.Spec.AccessFrom.NamespaceSelectors) == 0 {
		return skeleton.Wait(r.dependencyRequeue(), AccessDeniedReason,
			"access denied: ImageRepository '%s' has no spec.accessFrom, so only policies of its own namespace may use it: add a namespace selector matching namespace '%s'",
			key, obj.Namespace)
	}
	ns := &corev1.Namespace{}
	if err := r.Get(ctx, types.NamespacedName{Name: obj.Namespace}, ns); err != nil {
		return skeleton.Retry(AccessDeniedReason, err)
	}
	for _, sel := range repo.Spec.AccessFrom.NamespaceSelectors {
		if labels.SelectorFromSet(sel.MatchLabels).Matches(labels.Set(ns.Labels)) {
			return nil
		}
	}
	return skeleton.Wait(r.dependencyRequeue(), AccessDeniedReason,
		"access denied: the labels of namespace '%s' match none of the spec.accessFrom.namespaceSelectors of ImageRepository '%s': label the namespace, or add a selector",
		obj.Namespace, key)
}
