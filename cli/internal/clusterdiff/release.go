package clusterdiff

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// HelmFieldManager is the field manager Tide's (and Flux's) helm-controller
// applies a release with.
const HelmFieldManager = "helm-controller"

// helmResourcePolicy and helmKeep: Helm leaves an object with this
// annotation in place when the release no longer has it.
const (
	helmResourcePolicy = "helm.sh/resource-policy"
	helmKeep           = "keep"
)

// DiffRelease returns what releasing objects (a Helm release's rendered
// manifest, with Helm's ownership metadata and namespaces set) would
// change, in manifest order, followed by the objects of previous (the
// manifest of the release in storage) that the new one drops and Helm
// would delete. Each object is applied in a server-side dry run as the
// helm-controller's field manager, forcing its ownership, and compared with
// the live object; Secrets are masked as in Diff.
func DiffRelease(ctx context.Context, c client.Client, objects, previous []*unstructured.Unstructured) ([]Change, error) {
	var changes []Change
	rendered := map[string]bool{}
	for _, obj := range objects {
		rendered[inventoryID(obj)] = true
		change, err := diffReleased(ctx, c, obj)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", refOf(obj), err)
		}
		if change != nil {
			changes = append(changes, *change)
		}
	}
	for _, obj := range previous {
		if rendered[inventoryID(obj)] {
			continue
		}
		live := &unstructured.Unstructured{}
		live.SetGroupVersionKind(obj.GroupVersionKind())
		err := c.Get(ctx, client.ObjectKeyFromObject(obj), live)
		switch {
		case apierrors.IsNotFound(err), meta.IsNoMatchError(err):
			continue // already gone
		case err != nil:
			return nil, fmt.Errorf("%s: %w", refOf(obj), err)
		}
		if live.GetAnnotations()[helmResourcePolicy] == helmKeep || live.GetDeletionTimestamp() != nil {
			continue
		}
		changes = append(changes, Change{Ref: refOf(live), Action: Deleted})
	}
	return changes, nil
}

// diffReleased dry-runs the apply of obj; nil when it changes nothing.
func diffReleased(ctx context.Context, c client.Client, obj *unstructured.Unstructured) (*Change, error) {
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(obj.GroupVersionKind())
	err := c.Get(ctx, client.ObjectKeyFromObject(obj), live)
	switch {
	case meta.IsNoMatchError(err):
		return &Change{Ref: refOf(obj), Action: Created}, nil // a kind the chart's CRDs define
	case err != nil && !apierrors.IsNotFound(err):
		return nil, err
	}
	exists := err == nil
	merged := obj.DeepCopy()
	err = c.Apply(ctx, client.ApplyConfigurationFromUnstructured(merged),
		client.FieldOwner(HelmFieldManager), client.ForceOwnership, client.DryRunAll)
	switch {
	case err != nil && !exists && apierrors.IsNotFound(err):
		return &Change{Ref: refOf(obj), Action: Created}, nil // its namespace is missing
	case err != nil:
		return nil, fmt.Errorf("server-side dry run: %w", err)
	case !exists:
		return &Change{Ref: refOf(obj), Action: Created}, nil
	}
	return drift(refOf(obj), live, merged)
}
