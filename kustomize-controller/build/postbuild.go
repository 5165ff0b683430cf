package build

import (
	"fmt"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// PostBuild does to the objects Build returned what Flux does to them
// before it applies them, in Flux's order: spec.postBuild substitution with
// vars (see Vars), then spec.commonMetadata; last, it refuses a build that
// still holds SOPS ciphertext (see RefuseEncrypted), with an
// *EncryptedError, since Tide cannot decrypt. The controller's build step
// and `tide build`/`tide diff` all call it, so that the CLI never shows as
// applicable what the controller refuses.
//
// Substitution runs only when spec.postBuild is set, and then, as in Flux,
// by spec.postBuild.substituteStrategy: with WithVariables (the default)
// only when at least one variable resolved, otherwise ${...} is applied as
// written; with Always even without any variable, so that defaults such as
// ${VAR:=value} apply (and a ${VAR} without default fails).
//
// commonMetadata labels and annotates each object's own metadata, over the
// labels and annotations it has, and nothing else: not selectors, and not
// the pod templates of workloads, so that setting it does not roll out
// every Deployment. Being set after substitution, its values are not
// substituted.
//
// The objects are changed in place; the result may hold new ones where
// substitution changed an object.
func PostBuild(objects []*unstructured.Unstructured, spec *kustomizev1.KustomizationSpec, vars map[string]string,
	opts PostBuildOptions) ([]*unstructured.Unstructured, error) {
	if pb := spec.PostBuild; pb != nil && (len(vars) > 0 || pb.SubstituteStrategy == kustomizev1.SubstituteStrategyAlways) {
		var err error
		if objects, err = substitute(objects, vars, !opts.NotStrict); err != nil {
			return nil, fmt.Errorf("post-build substitution failed: %w", err)
		}
	}
	if cm := spec.CommonMetadata; cm != nil {
		for _, obj := range objects {
			obj.SetLabels(withEntries(obj.GetLabels(), cm.Labels))
			obj.SetAnnotations(withEntries(obj.GetAnnotations(), cm.Annotations))
		}
	}
	if err := RefuseEncrypted(objects); err != nil {
		return nil, &EncryptedError{Found: err.Error(), Decryption: spec.Decryption != nil}
	}
	return objects, nil
}

// PostBuildOptions are the settings of PostBuild that come from the
// controller rather than from the Kustomization.
type PostBuildOptions struct {
	// NotStrict substitutes the empty string for a variable that is not
	// set and has no default, instead of failing: Flux's behaviour with its
	// StrictPostBuildSubstitutions feature gate off.
	NotStrict bool
}

// withEntries returns m with the entries of add set over its own; nil when
// both are empty, so that no empty map is written into the object.
func withEntries(m, add map[string]string) map[string]string {
	if len(add) == 0 {
		return m
	}
	if m == nil {
		m = make(map[string]string, len(add))
	}
	for k, v := range add {
		m[k] = v
	}
	return m
}
