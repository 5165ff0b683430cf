package objects

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// pollInterval is how often a wait reads the object again.
const pollInterval = 500 * time.Millisecond

// ErrSuspended is returned when asked to reconcile a suspended object.
var ErrSuspended = errors.New("suspended")

// RequestReconcile sets reconcile.fluxcd.io/requestedAt on obj to a fresh
// token and returns it. With resume it also sets spec.suspend to false, in
// the same patch; the annotations named in also get the same token (as flux
// sets forceAt and resetAt to the requestedAt value).
func (s *Session) RequestReconcile(ctx context.Context, obj Object, resume bool, also ...string) (string, error) {
	token := time.Now().Format(time.RFC3339Nano)
	annotations := map[string]string{meta.ReconcileRequestAnnotation: token}
	for _, a := range also {
		annotations[a] = token
	}
	patch := map[string]any{
		"metadata": map[string]any{"annotations": annotations},
	}
	if resume {
		patch["spec"] = map[string]any{"suspend": false}
	}
	if err := s.mergePatch(ctx, obj, patch); err != nil {
		return "", err
	}
	return token, nil
}

// SetSuspend sets spec.suspend.
func (s *Session) SetSuspend(ctx context.Context, obj Object, suspend bool) error {
	return s.mergePatch(ctx, obj, map[string]any{"spec": map[string]any{"suspend": suspend}})
}

func (s *Session) mergePatch(ctx context.Context, obj Object, patch map[string]any) error {
	data, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	if err := s.Client.Patch(ctx, obj, client.RawPatch(types.MergePatchType, data)); err != nil {
		return fmt.Errorf("patch %s '%s' in namespace '%s': %w", obj.GetObjectKind().GroupVersionKind().Kind, obj.GetName(), obj.GetNamespace(), err)
	}
	return nil
}

// WaitForReconcile waits until the controller has handled the reconcile
// request token and set Ready to True or False. It returns the object as
// last read; the error carries the Ready message when Ready is False, and
// says what to do on timeout.
func (s *Session) WaitForReconcile(ctx context.Context, k *Kind, obj Object, token string, timeout time.Duration) (Object, error) {
	return s.waitFor(ctx, k, obj, timeout, func(o Object) bool {
		return LastHandledReconcileAt(o) == token
	})
}

// WaitForReady waits until the controller has observed obj's current
// generation and set Ready to True or False (after create or apply).
func (s *Session) WaitForReady(ctx context.Context, k *Kind, obj Object, timeout time.Duration) (Object, error) {
	gen := obj.GetGeneration()
	return s.waitFor(ctx, k, obj, timeout, func(o Object) bool {
		return ObservedGeneration(o) >= gen
	})
}

func (s *Session) waitFor(ctx context.Context, k *Kind, obj Object, timeout time.Duration, handled func(Object) bool) (Object, error) {
	key := client.ObjectKeyFromObject(obj)
	cur := k.New()
	err := wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true, func(ctx context.Context) (bool, error) {
		if err := s.Client.Get(ctx, key, cur); err != nil {
			if apierrors.IsNotFound(err) {
				return false, fmt.Errorf("%s '%s' was deleted while waiting for it", k.Noun, key.Name)
			}
			return false, nil // transient (or the deadline): try again until the timeout
		}
		if !handled(cur) {
			return false, nil
		}
		c := ReadyCondition(cur)
		return c != nil && c.Status != metav1.ConditionUnknown, nil
	})
	cur.GetObjectKind().SetGroupVersionKind(k.GVK())
	switch {
	case err == nil:
	case wait.Interrupted(err) && ctx.Err() == nil:
		return cur, timedOut(k, cur, timeout)
	default:
		return cur, err
	}
	if c := ReadyCondition(cur); c != nil && c.Status == metav1.ConditionFalse {
		return cur, fmt.Errorf("%s '%s' is not ready: %s (see 'tide events --for %s/%s')",
			k.Noun, key.Name, c.Message, k.Kind, key.Name)
	}
	return cur, nil
}

func timedOut(k *Kind, obj Object, timeout time.Duration) error {
	state := "no controller has reported on it yet"
	if c := ReadyCondition(obj); c != nil {
		state = fmt.Sprintf("Ready is %s: %s", c.Status, c.Message)
	}
	return fmt.Errorf("timed out after %s waiting for %s '%s' to reconcile (%s): check that Tide's controllers run with 'tide check', see 'tide events --for %s/%s', or raise --timeout",
		timeout, k.Noun, obj.GetName(), state, k.Kind, obj.GetName())
}
