package kustomization

import (
	"context"
	"fmt"
	"maps"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

// substitutionVars collects the variables of spec.postBuild: each
// substituteFrom ConfigMap or Secret in order, later ones winning, then
// spec.postBuild.substitute over all. Values are never put in messages.
func (r *Reconciler) substitutionVars(ctx context.Context, obj *kustomizev1.Kustomization) (map[string]string, error) {
	vars := map[string]string{}
	for _, ref := range obj.Spec.PostBuild.SubstituteFrom {
		key := types.NamespacedName{Namespace: obj.Namespace, Name: ref.Name}
		data, err := r.readVars(ctx, ref.Kind, key)
		if apierrors.IsNotFound(err) && ref.Optional {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("postBuild.substituteFrom %s '%s': %w", ref.Kind, key, notFoundHint(err))
		}
		maps.Copy(vars, data)
	}
	maps.Copy(vars, obj.Spec.PostBuild.Substitute)
	return vars, nil
}

func (r *Reconciler) readVars(ctx context.Context, kind string, key types.NamespacedName) (map[string]string, error) {
	switch kind {
	case "ConfigMap":
		cm := &corev1.ConfigMap{}
		if err := r.Get(ctx, key, cm); err != nil {
			return nil, err
		}
		return cm.Data, nil
	case "Secret":
		secret := &corev1.Secret{}
		if err := r.Get(ctx, key, secret); err != nil {
			return nil, err
		}
		vars := make(map[string]string, len(secret.Data))
		for k, v := range secret.Data {
			vars[k] = string(v)
		}
		return vars, nil
	default:
		return nil, fmt.Errorf("kind must be ConfigMap or Secret")
	}
}

func notFoundHint(err error) error {
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("not found: create it, or mark the reference optional: true")
	}
	return err
}
