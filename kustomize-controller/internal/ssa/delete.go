package ssa

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
)

// DeleteOptions tunes one Delete.
type DeleteOptions struct {
	// OwnerLabels must all be on an object for it to be deleted: one
	// without them is no longer this Kustomization's.
	OwnerLabels map[string]string
}

// Delete prunes refs: each one that exists, carries all the owner labels and
// is not marked prune: disabled, reconcile: disabled or ssa: Ignore in the
// cluster (as a label or an annotation) is deleted, in the background. The
// ChangeSet lists the deleted objects only. Errors name their object; the
// other objects are still tried and the errors joined.
func (m *Manager) Delete(ctx context.Context, refs []inventory.ObjectRef, opts DeleteOptions) (ChangeSet, error) {
	deleted := make([]bool, len(refs))
	errs := m.parallel(len(refs), func(i int) error {
		var err error
		deleted[i], err = m.deleteOne(ctx, refs[i], opts)
		return err
	})
	var cs ChangeSet
	for i, ref := range refs {
		if deleted[i] {
			cs = append(cs, Change{Ref: ref, Action: Deleted})
		}
	}
	return cs, join(errs)
}

func (m *Manager) deleteOne(ctx context.Context, ref inventory.ObjectRef, opts DeleteOptions) (bool, error) {
	obj, err := m.getMeta(ctx, ref)
	if err != nil || obj == nil {
		return false, err
	}
	labels := obj.GetLabels()
	for k, v := range opts.OwnerLabels {
		if got, ok := labels[k]; !ok || got != v {
			return false, nil
		}
	}
	if !prunable(obj) || obj.GetDeletionTimestamp() != nil {
		return false, nil
	}
	err = m.Client.Delete(ctx, obj, client.PropagationPolicy(metav1.DeletePropagationBackground),
		client.Preconditions{UID: &obj.UID})
	switch {
	case apierrors.IsNotFound(err), apierrors.IsConflict(err): // gone, or replaced by another object
		return false, nil
	case err != nil:
		return false, fmt.Errorf("delete %s: %w", ref, err)
	}
	return true, nil
}

// getMeta reads the metadata of ref's object; nil when it does not exist.
// A version no longer served is replaced by one that is; a kind no longer
// served means the object is gone.
func (m *Manager) getMeta(ctx context.Context, ref inventory.ObjectRef) (*metav1.PartialObjectMetadata, error) {
	gvk := ref.GroupVersionKind()
	if _, err := m.Client.RESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version); meta.IsNoMatchError(err) {
		mapping, err := m.Client.RESTMapper().RESTMapping(gvk.GroupKind())
		if meta.IsNoMatchError(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("get %s: %w", ref, err)
		}
		gvk = mapping.GroupVersionKind
	}
	obj := &metav1.PartialObjectMetadata{}
	obj.SetGroupVersionKind(gvk)
	err := m.Client.Get(ctx, client.ObjectKey{Namespace: ref.Namespace, Name: ref.Name}, obj)
	switch {
	case apierrors.IsNotFound(err), meta.IsNoMatchError(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("get %s: %w", ref, err)
	}
	return obj, nil
}
