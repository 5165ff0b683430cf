package charttemplate

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// apply server-side applies desired, taking over fields another manager
// set (the template is the truth, as in Flux), and says what changed:
// "created", "configured", or "" when the object was already as desired.
// current is an empty typed object of desired's kind: reading through it
// (not as unstructured) shares the controller's cache of that kind instead
// of starting a second informer.
func (t *Templates) apply(ctx context.Context, desired *unstructured.Unstructured, current client.Object) (string, error) {
	err := t.Client.Get(ctx, client.ObjectKeyFromObject(desired), current)
	if err != nil && !apierrors.IsNotFound(err) {
		return "", err
	}
	existed := err == nil
	//nolint:staticcheck // client.Apply patches take unstructured objects; the typed Apply needs generated apply configurations.
	if err := t.Client.Patch(ctx, desired, client.Apply, client.FieldOwner(t.FieldManager), client.ForceOwnership); err != nil {
		return "", err
	}
	switch {
	case !existed:
		return "created", nil
	case current.GetResourceVersion() != desired.GetResourceVersion():
		return "configured", nil
	default:
		return "", nil
	}
}
