package ssa

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
)

// waitForCRDs waits until every CRD of the first stage is Established and
// the client's RESTMapper maps each served version of its kind, so that the
// second stage can be dry-run and applied. controller-runtime's dynamic
// RESTMapper reloads a group on a miss when asked for a version, which the
// polling below relies on.
func (m *Manager) waitForCRDs(ctx context.Context, first []*item, timeout time.Duration) error {
	var crds []*item
	for _, it := range first {
		if it.ref.GroupVersionKind().GroupKind() == crdKind && (it.action != Skipped || it.exists) {
			crds = append(crds, it)
		}
	}
	if len(crds) == 0 {
		return nil
	}
	pending := map[string]string{} // CRD name -> why it is not ready
	err := wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true, func(ctx context.Context) (bool, error) {
		clear(pending)
		for _, it := range crds {
			why, err := m.crdReady(ctx, it.obj)
			if err != nil {
				return false, err
			}
			if why != "" {
				pending[it.ref.String()] = why
			}
		}
		return len(pending) == 0, nil
	})
	if err != nil && len(pending) > 0 {
		var lines []string
		for name, why := range pending {
			lines = append(lines, name+": "+why)
		}
		return fmt.Errorf("CustomResourceDefinitions not ready after %s: %s", timeout, strings.Join(lines, "; "))
	}
	return err
}

// crdReady returns why the CRD is not usable yet, or "".
func (m *Manager) crdReady(ctx context.Context, desired *unstructured.Unstructured) (string, error) {
	crd := &unstructured.Unstructured{}
	crd.SetGroupVersionKind(crdKind.WithVersion("v1"))
	if err := m.Client.Get(ctx, client.ObjectKeyFromObject(desired), crd); err != nil {
		if apierrors.IsNotFound(err) {
			return "not found", nil
		}
		return "", fmt.Errorf("get %s: %w", inventory.RefOf(desired), err)
	}
	conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
	established := false
	for _, c := range conds {
		c, _ := c.(map[string]any)
		if c["type"] == "Established" && c["status"] == string(metav1.ConditionTrue) {
			established = true
		}
	}
	if !established {
		return "not Established", nil
	}
	gk := definedKind(crd)
	versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	for _, v := range versions {
		v, _ := v.(map[string]any)
		name, _ := v["name"].(string)
		if served, _ := v["served"].(bool); !served {
			continue
		}
		if _, err := m.Client.RESTMapper().RESTMapping(gk, name); err != nil {
			if meta.IsNoMatchError(err) {
				return fmt.Sprintf("%s not known to the client yet", gk.WithVersion(name)), nil
			}
			return "", fmt.Errorf("map %s: %w", gk.WithVersion(name), err)
		}
	}
	return "", nil
}

// WaitForTermination polls until none of refs exists, or timeout; its error
// names the objects left.
func (m *Manager) WaitForTermination(ctx context.Context, refs []inventory.ObjectRef, timeout time.Duration) error {
	remaining := refs
	err := wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true, func(ctx context.Context) (bool, error) {
		var left []inventory.ObjectRef
		for _, ref := range remaining {
			obj, err := m.getMeta(ctx, ref)
			if err != nil && ctx.Err() != nil {
				return false, nil // out of time: reported below with what is left
			}
			if err != nil {
				return false, err
			}
			if obj != nil {
				left = append(left, ref)
			}
		}
		remaining = left
		return len(left) == 0, nil
	})
	if err != nil && len(remaining) > 0 && (wait.Interrupted(err) || errors.Is(err, context.DeadlineExceeded)) {
		names := make([]string, len(remaining))
		for i, r := range remaining {
			names[i] = r.String()
		}
		return fmt.Errorf("%d objects still there after %s: %s", len(remaining), timeout, strings.Join(names, ", "))
	}
	return err
}
