package build

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

// OwnerLabels are the labels that mark every object a Kustomization applies
// as its own, as Flux does: kustomize.toolkit.fluxcd.io/name and
// /namespace. Prune deletes only objects that still carry them.
func OwnerLabels(obj *kustomizev1.Kustomization) map[string]string {
	return map[string]string{
		kustomizev1.GroupVersion.Group + "/name":      obj.Name,
		kustomizev1.GroupVersion.Group + "/namespace": obj.Namespace,
	}
}

// Vars collects the variables of obj's spec.postBuild, read through reader:
// each substituteFrom ConfigMap or Secret in order, later ones winning, then
// spec.postBuild.substitute over all. A missing optional reference is
// skipped. Without spec.postBuild, the result is empty. Values are never
// put in messages. Like Flux, line breaks are removed from every value, so
// that a value read from a file with a trailing newline stays on its line.
func Vars(ctx context.Context, reader client.Reader, obj *kustomizev1.Kustomization) (map[string]string, error) {
	vars := map[string]string{}
	if obj.Spec.PostBuild == nil {
		return vars, nil
	}
	for _, ref := range obj.Spec.PostBuild.SubstituteFrom {
		key := types.NamespacedName{Namespace: obj.Namespace, Name: ref.Name}
		data, err := readVars(ctx, reader, ref.Kind, key)
		if apierrors.IsNotFound(err) && ref.Optional {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("postBuild.substituteFrom %s '%s': %w", ref.Kind, key, notFoundHint(err))
		}
		copyValues(vars, data)
	}
	copyValues(vars, obj.Spec.PostBuild.Substitute)
	return vars, nil
}

// copyValues copies src into dst without the line breaks of the values.
func copyValues(dst, src map[string]string) {
	for k, v := range src {
		dst[k] = strings.ReplaceAll(v, "\n", "")
	}
}

func readVars(ctx context.Context, reader client.Reader, kind string, key types.NamespacedName) (map[string]string, error) {
	switch kind {
	case "ConfigMap":
		cm := &corev1.ConfigMap{}
		if err := reader.Get(ctx, key, cm); err != nil {
			return nil, err
		}
		return cm.Data, nil
	case "Secret":
		secret := &corev1.Secret{}
		if err := reader.Get(ctx, key, secret); err != nil {
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
