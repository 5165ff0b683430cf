package objects

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// FieldManager owns the fields tide applies.
const FieldManager = "tide"

// Apply creates or updates obj with server-side apply, as field manager
// "tide", and reads the result back into obj. obj must have apiVersion and
// kind set. Only what obj sets is owned: status, uid and the like are not
// sent. manifest, when not nil, is sent instead of obj's clean form.
func (s *Session) Apply(ctx context.Context, obj client.Object, manifest map[string]any) error {
	if manifest == nil {
		var err error
		if manifest, err = Clean(obj); err != nil {
			return err
		}
	}
	u := &unstructured.Unstructured{Object: manifest}
	err := s.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(FieldManager), client.ForceOwnership)
	if err != nil {
		return fmt.Errorf("apply %s '%s' in namespace '%s': %w", u.GetKind(), u.GetName(), u.GetNamespace(), err)
	}
	gvk := obj.GetObjectKind().GroupVersionKind()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, obj); err != nil {
		return err
	}
	obj.GetObjectKind().SetGroupVersionKind(gvk)
	return nil
}
