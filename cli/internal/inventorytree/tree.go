package inventorytree

import (
	"context"
	"fmt"
	"io"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/kustomize-controller/inventory"
)

// Node is one object of the tree and, for a Kustomization, what it applied.
type Node struct {
	Group     string  `json:"group,omitempty"`
	Version   string  `json:"version"`
	Kind      string  `json:"kind"`
	Namespace string  `json:"namespace,omitempty"`
	Name      string  `json:"name"`
	Resources []*Node `json:"resources,omitempty"`
}

// String names the node: Kind/namespace/name, or Kind/name.
func (n *Node) String() string {
	if n.Namespace == "" {
		return n.Kind + "/" + n.Name
	}
	return n.Kind + "/" + n.Namespace + "/" + n.Name
}

// Read returns the tree of the Kustomization namespace/name. Nested
// Kustomizations are expanded once each: one that appears again (a
// Kustomization that applies itself, as flux-system does) or that no longer
// exists is a leaf.
func Read(ctx context.Context, reader client.Reader, namespace, name string) (*Node, error) {
	ks := &kustomizev1.Kustomization{}
	err := reader.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, ks)
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("Kustomization '%s/%s' not found: check the name and -n/--namespace", namespace, name)
	}
	if err != nil {
		return nil, fmt.Errorf("get Kustomization '%s/%s': %w", namespace, name, err)
	}
	root := &Node{Group: kustomizev1.GroupVersion.Group, Version: kustomizev1.GroupVersion.Version,
		Kind: "Kustomization", Namespace: namespace, Name: name}
	seen := map[string]bool{root.String(): true}
	if err := expand(ctx, reader, root, kustomizationEntries(ks), seen); err != nil {
		return nil, err
	}
	return root, nil
}

// expand adds what node's object applied (entries of its inventory) under
// it, and expands each child that is a Kustomization or a HelmRelease.
func expand(ctx context.Context, reader client.Reader, node *Node, entries []entry, seen map[string]bool) error {
	for _, e := range entries {
		ref, err := inventory.ParseID(e.id, e.version)
		if err != nil {
			return fmt.Errorf("%s: %w", node, err)
		}
		child := &Node{Namespace: ref.Namespace, Name: ref.Name, Group: ref.Group, Kind: ref.Kind, Version: ref.Version}
		node.Resources = append(node.Resources, child)
		if seen[child.String()] {
			continue
		}
		nested, found, err := inventoryOf(ctx, reader, child)
		if err != nil {
			return err
		}
		if !found {
			continue
		}
		seen[child.String()] = true
		if err := expand(ctx, reader, child, nested, seen); err != nil {
			return err
		}
	}
	return nil
}

// Write prints the tree with ├── and └── branches.
func (n *Node) Write(w io.Writer) error {
	var b strings.Builder
	b.WriteString(n.String() + "\n")
	writeChildren(&b, n, "")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeChildren(b *strings.Builder, n *Node, indent string) {
	for i, c := range n.Resources {
		branch, next := "├── ", "│   "
		if i == len(n.Resources)-1 {
			branch, next = "└── ", "    "
		}
		b.WriteString(indent + branch + c.String() + "\n")
		writeChildren(b, c, indent+next)
	}
}
