package install

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/cli/internal/output"
)

// pollInterval is how often the waits read the cluster.
const pollInterval = 500 * time.Millisecond

// crdEstablishTimeout bounds the wait for the apiserver to serve new CRDs,
// which it does within seconds.
const crdEstablishTimeout = time.Minute

// Apply applies objs server-side as the "tide" field manager: the CRDs and
// the Namespace first, then, once every CRD is established, the rest.
func Apply(ctx context.Context, c client.Client, objs []*unstructured.Unstructured, out *output.Printer) error {
	var first, rest, crds []*unstructured.Unstructured
	for _, o := range objs {
		switch o.GetKind() {
		case "CustomResourceDefinition":
			crds = append(crds, o)
			first = append(first, o)
		case "Namespace":
			first = append(first, o)
		default:
			rest = append(rest, o)
		}
	}
	for _, o := range first {
		if err := applyOne(ctx, c, o); err != nil {
			return err
		}
	}
	if err := waitCRDs(ctx, c, crds, out); err != nil {
		return err
	}
	for _, o := range rest {
		if err := applyOne(ctx, c, o); err != nil {
			return err
		}
	}
	out.Success("applied %d objects", len(objs))
	return nil
}

func applyOne(ctx context.Context, c client.Client, o *unstructured.Unstructured) error {
	err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(o.DeepCopy()),
		client.FieldOwner(FieldManager), client.ForceOwnership)
	if err != nil {
		return fmt.Errorf("apply %s: %w", describe(o), err)
	}
	return nil
}

func waitCRDs(ctx context.Context, c client.Client, crds []*unstructured.Unstructured, out *output.Printer) error {
	if len(crds) == 0 {
		return nil
	}
	return Poll(ctx, out, crdEstablishTimeout, "waiting for the CRDs to be established", func(ctx context.Context) (string, error) {
		for _, crd := range crds {
			if pending, err := notCurrent(ctx, c, crd); pending != "" || err != nil {
				return pending, err
			}
		}
		return "", nil
	})
}

// WaitReady waits until each component's Deployment in namespace is
// available, with a spinner per Deployment.
func WaitReady(ctx context.Context, c client.Client, namespace string, components []string, timeout time.Duration, out *output.Printer) error {
	for _, name := range components {
		d := deploymentRef(namespace, name)
		msg := fmt.Sprintf("waiting for Deployment/%s/%s to be available", namespace, name)
		if err := Poll(ctx, out, timeout, msg, func(ctx context.Context) (string, error) {
			return notCurrent(ctx, c, d)
		}); err != nil {
			return err
		}
		out.Success("Deployment/%s/%s is available", namespace, name)
	}
	return nil
}

func deploymentRef(namespace, name string) *unstructured.Unstructured {
	d := &unstructured.Unstructured{}
	d.SetAPIVersion("apps/v1")
	d.SetKind("Deployment")
	d.SetNamespace(namespace)
	d.SetName(name)
	return d
}

// Pending reads the object ref names and returns why it is not yet current
// (kstatus: a Deployment available, a CRD established), or "" when it is.
func Pending(ctx context.Context, c client.Client, ref *unstructured.Unstructured) (string, error) {
	return notCurrent(ctx, c, ref)
}

// DeploymentRef names a Deployment, for Pending.
func DeploymentRef(namespace, name string) *unstructured.Unstructured {
	return deploymentRef(namespace, name)
}

func notCurrent(ctx context.Context, c client.Client, ref *unstructured.Unstructured) (string, error) {
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(ref.GroupVersionKind())
	if err := c.Get(ctx, client.ObjectKeyFromObject(ref), obj); err != nil {
		if apierrors.IsNotFound(err) {
			return describe(ref) + " not found", nil
		}
		return "", err
	}
	res, err := status.Compute(obj)
	if err != nil {
		return "", err
	}
	if res.Status == status.CurrentStatus {
		return "", nil
	}
	return fmt.Sprintf("%s is %s: %s", describe(ref), res.Status, res.Message), nil
}

// Poll shows msg with a spinner and calls check every half second until it
// returns "" (done) or an error, or timeout passes; the timeout error ends
// with the last thing check said was pending.
func Poll(ctx context.Context, out *output.Printer, timeout time.Duration, msg string, check func(context.Context) (string, error)) error {
	stop := out.Spinner(msg)
	defer stop()
	deadline := time.Now().Add(timeout)
	for {
		pending, err := check(ctx)
		if err != nil || pending == "" {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s %s: %s", timeout, msg, pending)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", msg, ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}

func describe(o *unstructured.Unstructured) string {
	if o.GetNamespace() == "" {
		return o.GetKind() + "/" + o.GetName()
	}
	return o.GetKind() + "/" + o.GetNamespace() + "/" + o.GetName()
}
