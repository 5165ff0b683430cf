package inventorytree

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

// entry is one inventory entry: Flux's object id and its version.
type entry struct{ id, version string }

func kustomizationEntries(ks *kustomizev1.Kustomization) []entry {
	if ks.Status.Inventory == nil {
		return nil
	}
	out := make([]entry, 0, len(ks.Status.Inventory.Entries))
	for _, e := range ks.Status.Inventory.Entries {
		out = append(out, entry{e.ID, e.Version})
	}
	return out
}

func helmReleaseEntries(hr *helmv2.HelmRelease) []entry {
	if hr.Status.Inventory == nil {
		return nil
	}
	out := make([]entry, 0, len(hr.Status.Inventory.Entries))
	for _, e := range hr.Status.Inventory.Entries {
		out = append(out, entry{e.ID, e.Version})
	}
	return out
}

// inventoryOf reads the inventory of a node that is a Kustomization or a
// HelmRelease (as flux's tree expands both); found is false for any other
// kind and for one that no longer exists.
func inventoryOf(ctx context.Context, reader client.Reader, n *Node) (entries []entry, found bool, err error) {
	key := client.ObjectKey{Namespace: n.Namespace, Name: n.Name}
	var obj client.Object
	switch {
	case n.Group == kustomizev1.GroupVersion.Group && n.Kind == kustomizev1.KustomizationKind:
		obj = &kustomizev1.Kustomization{}
	case n.Group == helmv2.GroupVersion.Group && n.Kind == helmv2.HelmReleaseKind:
		obj = &helmv2.HelmRelease{}
	default:
		return nil, false, nil
	}
	err = reader.Get(ctx, key, obj)
	if apierrors.IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("get %s: %w", n, err)
	}
	switch o := obj.(type) {
	case *kustomizev1.Kustomization:
		return kustomizationEntries(o), true, nil
	case *helmv2.HelmRelease:
		return helmReleaseEntries(o), true, nil
	}
	return nil, false, nil
}

// ReadHelmRelease returns the tree of the HelmRelease namespace/name: the
// objects of its release (status.inventory, which the helm-controller
// writes), any Kustomization or HelmRelease among them expanded.
func ReadHelmRelease(ctx context.Context, reader client.Reader, namespace, name string) (*Node, error) {
	root := &Node{Group: helmv2.GroupVersion.Group, Version: helmv2.GroupVersion.Version,
		Kind: helmv2.HelmReleaseKind, Namespace: namespace, Name: name}
	entries, found, err := inventoryOf(ctx, reader, root)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("HelmRelease '%s/%s' not found: check the name and -n/--namespace", namespace, name)
	}
	if err := expand(ctx, reader, root, entries, map[string]bool{root.String(): true}); err != nil {
		return nil, err
	}
	return root, nil
}
