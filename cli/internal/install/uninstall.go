package install

import (
	"context"
	"fmt"
	"slices"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	imagev1 "github.com/tidegitops/tide/api/image/v1"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/output"
	"github.com/tidegitops/tide/manifests"
)

// Finalizer is what Tide's (and Flux's) controllers put on the objects they
// reconcile.
const Finalizer = "finalizers.fluxcd.io"

// crdDeleteTimeout bounds the wait for the apiserver to remove the CRDs and
// every object of their kinds.
const crdDeleteTimeout = 2 * time.Minute

// syncKinds are every kind Tide serves whose objects may carry Finalizer,
// in the order uninstall releases and deletes them: the appliers first
// (Kustomizations, HelmReleases), then the sources (a HelmChart before the
// HelmRepository it pulls from), the image kinds (an automation before the
// policies it reads) and the Receivers. Alerts and Providers get no
// finalizer from Tide (nor from Flux since their v1beta3), but objects
// migrated from an older Flux may still hold one.
var syncKinds = []schema.GroupVersionKind{
	kustomizev1.GroupVersion.WithKind(kustomizev1.KustomizationKind),
	helmv2.GroupVersion.WithKind(helmv2.HelmReleaseKind),
	sourcev1.GroupVersion.WithKind(sourcev1.HelmChartKind),
	sourcev1.GroupVersion.WithKind(sourcev1.GitRepositoryKind),
	sourcev1.GroupVersion.WithKind(sourcev1.HelmRepositoryKind),
	sourcev1.GroupVersion.WithKind(sourcev1.OCIRepositoryKind),
	imagev1.GroupVersion.WithKind(imagev1.ImageUpdateAutomationKind),
	imagev1.GroupVersion.WithKind(imagev1.ImagePolicyKind),
	imagev1.GroupVersion.WithKind(imagev1.ImageRepositoryKind),
	notificationv1.GroupVersion.WithKind(notificationv1.ReceiverKind),
	notificationv1.GroupVersion.WithKind(notificationv1.AlertKind),
	notificationv1.GroupVersion.WithKind(notificationv1.ProviderKind),
}

// Uninstall removes Tide from the cluster and leaves what it applied in
// place. In order: every object of syncKinds (all namespaces) is
// suspended and loses its finalizer, so that no controller garbage
// collects on deletion; the controllers are deleted; then those objects,
// the rest of the install manifests, the CRDs (waiting until they are gone),
// and the namespace unless keepNamespace.
func Uninstall(ctx context.Context, c client.Client, namespace string, keepNamespace bool, out *output.Printer) error {
	if err := releaseSyncObjects(ctx, c, out); err != nil {
		return err
	}
	objs, err := Render(manifests.AllControllers(), namespace)
	if err != nil {
		return err
	}
	// Stop the controllers before anything they watch disappears.
	slices.SortStableFunc(objs, func(a, b *unstructured.Unstructured) int {
		return deleteRank(a) - deleteRank(b)
	})
	for _, o := range objs {
		switch o.GetKind() {
		case "CustomResourceDefinition", "Namespace":
			continue
		}
		if err := deleteOne(ctx, c, o, out); err != nil {
			return err
		}
	}
	// A controller still shutting down may have put a finalizer back.
	if err := releaseSyncObjects(ctx, c, out); err != nil {
		return err
	}
	if err := deleteSyncObjects(ctx, c, out); err != nil {
		return err
	}
	crds, err := CRDs()
	if err != nil {
		return err
	}
	for _, crd := range crds {
		if err := deleteOne(ctx, c, crd, out); err != nil {
			return err
		}
	}
	if err := Poll(ctx, out, crdDeleteTimeout, "waiting for the CRDs to be removed", func(ctx context.Context) (string, error) {
		return firstPresent(ctx, c, crds)
	}); err != nil {
		return err
	}
	if keepNamespace {
		out.Info("kept namespace %s", namespace)
	} else if err := deleteOne(ctx, c, namespaceObject(namespace), out); err != nil {
		return err
	}
	out.Success("uninstall finished")
	return nil
}

func deleteRank(o *unstructured.Unstructured) int {
	if o.GetKind() == "Deployment" {
		return 0
	}
	return 1
}

// releaseSyncObjects suspends every object of syncKinds and removes the
// finalizer, in one patch each: a suspended object is neither
// finalized nor given its finalizer back by a controller still running.
func releaseSyncObjects(ctx context.Context, c client.Client, out *output.Printer) error {
	for _, gvk := range syncKinds {
		items, err := listAll(ctx, c, gvk)
		if err != nil {
			return err
		}
		for i := range items {
			o := &items[i]
			spec, _, _ := unstructured.NestedBool(o.Object, "spec", "suspend")
			if spec && !slices.Contains(o.GetFinalizers(), Finalizer) {
				continue
			}
			base := o.DeepCopy()
			o.SetFinalizers(slices.DeleteFunc(o.GetFinalizers(), func(f string) bool { return f == Finalizer }))
			if err := unstructured.SetNestedField(o.Object, true, "spec", "suspend"); err != nil {
				return err
			}
			if err := c.Patch(ctx, o, client.MergeFrom(base)); err != nil && !apierrors.IsNotFound(err) {
				return fmt.Errorf("release %s: %w", describe(o), err)
			}
			out.Success("%s suspended, finalizer removed", describe(o))
		}
	}
	return nil
}

func deleteSyncObjects(ctx context.Context, c client.Client, out *output.Printer) error {
	for _, gvk := range syncKinds {
		items, err := listAll(ctx, c, gvk)
		if err != nil {
			return err
		}
		for i := range items {
			if err := deleteOne(ctx, c, &items[i], out); err != nil {
				return err
			}
		}
	}
	return nil
}

// listAll lists gvk in every namespace; none when the CRD is not installed.
func listAll(ctx context.Context, c client.Client, gvk schema.GroupVersionKind) ([]unstructured.Unstructured, error) {
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	if err := c.List(ctx, list); err != nil {
		if meta.IsNoMatchError(err) || apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("list %s: %w", gvk.Kind, err)
	}
	return list.Items, nil
}

func deleteOne(ctx context.Context, c client.Client, o *unstructured.Unstructured, out *output.Printer) error {
	err := c.Delete(ctx, o, client.PropagationPolicy("Background"))
	switch {
	case err == nil:
		out.Success("%s deleted", describe(o))
	case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
	default:
		return fmt.Errorf("delete %s: %w", describe(o), err)
	}
	return nil
}

func firstPresent(ctx context.Context, c client.Client, objs []*unstructured.Unstructured) (string, error) {
	for _, o := range objs {
		got := &unstructured.Unstructured{}
		got.SetGroupVersionKind(o.GroupVersionKind())
		err := c.Get(ctx, client.ObjectKeyFromObject(o), got)
		if err == nil {
			return describe(o) + " still exists", nil
		}
		if !apierrors.IsNotFound(err) {
			return "", err
		}
	}
	return "", nil
}
