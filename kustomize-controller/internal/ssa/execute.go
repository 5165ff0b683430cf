package ssa

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// execute does what planOne decided for one object. An existing object
// planned as configured is applied and found unchanged if the apply wrote
// nothing: the apiserver then returns the resourceVersion the dry-run saw.
func (m *Manager) execute(ctx context.Context, it *item, timeout time.Duration) error {
	switch it.action {
	case Skipped, Unchanged:
		it.done = true
		return nil
	}
	switch {
	case it.recreate:
		if err := m.recreate(ctx, it, timeout); err != nil {
			return err
		}
	case it.takeover:
		patch, err := takeoverPatch(it.obj, it.live, m.Owner, m.OverrideManagers, it.ignored)
		if err == nil {
			err = m.Client.Patch(ctx, it.live.DeepCopy(), client.RawPatch(types.JSONPatchType, patch), client.FieldOwner(m.Owner))
		}
		if err != nil {
			return fmt.Errorf("apply %s: take over the fields kubectl set: %w", it.ref, err)
		}
	case it.release && it.exists:
		patch, err := m.releasePatch(it)
		if err == nil && patch != nil {
			err = m.Client.Patch(ctx, it.live.DeepCopy(), client.RawPatch(types.JSONPatchType, patch), client.FieldOwner(m.Owner))
		}
		if err != nil {
			return fmt.Errorf("apply %s: release the ignored fields: %w", it.ref, err)
		}
	}
	applied := it.obj.DeepCopy()
	err := m.apply(ctx, applied, false)
	if isImmutable(err) && !it.recreate && it.exists {
		// The object changed between the dry-run and now.
		if !it.force {
			return fmt.Errorf("apply %s: %s", it.ref, immutableMessage(err))
		}
		if err = m.recreate(ctx, it, timeout); err != nil {
			return err
		}
		it.action = Created
		applied = it.obj.DeepCopy()
		err = m.apply(ctx, applied, false)
	}
	if err != nil {
		return fmt.Errorf("apply %s: %w", it.ref, err)
	}
	if it.action == Configured && applied.GetResourceVersion() == it.version {
		it.action = Unchanged
	}
	it.done = true
	return nil
}

// recreate deletes the live object and waits until it is gone, so that the
// apply that follows creates it anew.
func (m *Manager) recreate(ctx context.Context, it *item, timeout time.Duration) error {
	live := it.live
	if live == nil { // planning did without it: the immutable field changed since
		var err error
		if live, err = m.getLive(ctx, it); err != nil {
			return fmt.Errorf("recreate %s: %w", it.ref, err)
		}
		if live == nil {
			return nil // gone already
		}
	}
	uid := live.GetUID()
	err := m.Client.Delete(ctx, live.DeepCopy(), client.PropagationPolicy(metav1.DeletePropagationBackground),
		client.Preconditions{UID: &uid})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return fmt.Errorf("recreate %s: delete: %w", it.ref, err)
	}
	err = wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true, func(ctx context.Context) (bool, error) {
		cur := &unstructured.Unstructured{}
		cur.SetGroupVersionKind(it.obj.GroupVersionKind())
		err := m.Client.Get(ctx, client.ObjectKeyFromObject(it.obj), cur)
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return err == nil && cur.GetUID() != uid, err
	})
	if err != nil {
		return fmt.Errorf("recreate %s: waiting for the old object to be deleted: %w", it.ref, err)
	}
	return nil
}
