package clusterdiff

import (
	"context"
	"errors"
	"fmt"

	"github.com/pmezard/go-difflib/difflib"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/kustomize-controller/build"
	"github.com/tidegitops/tide/kustomize-controller/inventory"
	"github.com/tidegitops/tide/kustomize-controller/policy"
)

// FieldManager is the kustomize-controller's field manager: the dry run
// applies as it does, so that fields it owns and Git no longer sets show as
// removed.
const FieldManager = "kustomize-controller"

// ErrDifferences is returned by commands when the cluster differs from the
// build; the CLI exits with 1 for it, and >1 for real errors.
var ErrDifferences = errors.New("differences found")

// Action is what a reconcile would do to an object.
type Action string

const (
	Created Action = "created"
	Drifted Action = "drifted"
	Deleted Action = "deleted"
)

// Change is one object a reconcile would change.
type Change struct {
	// Ref names the object: Kind/namespace/name, or Kind/name.
	Ref    string
	Action Action
	// Diff is a unified diff from the live object to the applied one, for
	// Drifted only. The values of Secrets are masked.
	Diff string
}

// Diff returns what applying objects, the build of ks, would change, in
// build order, followed by the objects of ks's inventory that the build no
// longer has (when ks prunes). inventory is the one the cluster holds for ks
// (nil when ks was never applied).
func Diff(ctx context.Context, c client.Client, ks *kustomizev1.Kustomization, objects []*unstructured.Unstructured, inventory *kustomizev1.ResourceInventory) ([]Change, error) {
	ignore, err := build.NewIgnore(ks.Spec.Ignore)
	if err != nil {
		return nil, err
	}
	var changes []Change
	built := map[string]bool{}
	for _, obj := range objects {
		built[inventoryID(obj)] = true
		change, err := diffOne(ctx, c, obj, ignore.Paths(obj))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", refOf(obj), err)
		}
		if change != nil {
			changes = append(changes, *change)
		}
	}
	if !ks.Spec.Prune || inventory == nil {
		return changes, nil
	}
	stale, err := pruned(ctx, c, inventory, built, build.OwnerLabels(ks))
	if err != nil {
		return nil, err
	}
	return append(changes, stale...), nil
}

// diffOne dry-runs the apply of obj; nil when it changes nothing or the
// controller would leave it alone (by the controller's own rules, in
// package policy). The ignored fields (spec.ignore)
// are neither applied nor compared, as the controller neither sets nor
// corrects them.
func diffOne(ctx context.Context, c client.Client, obj *unstructured.Unstructured, ignored [][]string) (*Change, error) {
	if policy.SkipsApply(obj, nil) {
		return nil, nil
	}
	obj = obj.DeepCopy()
	build.RemoveFields(obj, ignored)
	namespaced, err := c.IsObjectNamespaced(obj)
	switch {
	case meta.IsNoMatchError(err):
		// A kind the build itself defines (its CRD is not applied yet).
		return &Change{Ref: refOf(obj), Action: Created}, nil
	case err != nil:
		return nil, err
	case !namespaced:
		obj.SetNamespace("") // as the controller does for kinds kustomize does not know
	case obj.GetNamespace() == "":
		return nil, fmt.Errorf("the kind is namespaced, and metadata.namespace is not set")
	}

	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(obj.GroupVersionKind())
	err = c.Get(ctx, client.ObjectKeyFromObject(obj), live)
	exists := err == nil
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, err
	}
	if exists && policy.SkipsApply(obj, live) {
		return nil, nil
	}

	merged := obj.DeepCopy()
	err = c.Apply(ctx, client.ApplyConfigurationFromUnstructured(merged),
		client.FieldOwner(FieldManager), client.ForceOwnership, client.DryRunAll)
	switch {
	case err != nil && !exists && apierrors.IsNotFound(err):
		// Its namespace is missing; the build may create it.
		return &Change{Ref: refOf(obj), Action: Created}, nil
	case err != nil:
		return nil, fmt.Errorf("server-side dry run: %w", err)
	case !exists:
		return &Change{Ref: refOf(obj), Action: Created}, nil
	}
	withoutIgnored(live, ignored)
	withoutIgnored(merged, ignored)
	return drift(refOf(obj), live, merged)
}

// withoutIgnored removes the ignored fields from obj for the comparison,
// with the maps this leaves empty: the dry run, which does not set them,
// may drop such a map altogether where the live object keeps it.
func withoutIgnored(obj *unstructured.Unstructured, ignored [][]string) {
	build.RemoveFields(obj, ignored)
	for _, tokens := range ignored {
		for n := len(tokens) - 1; n > 0; n-- {
			parent, found, _ := unstructured.NestedFieldNoCopy(obj.Object, tokens[:n]...)
			if m, isMap := parent.(map[string]any); !found || !isMap || len(m) > 0 {
				break
			}
			unstructured.RemoveNestedField(obj.Object, tokens[:n]...)
		}
	}
}

// drift compares the live object with the dry run's result.
func drift(ref string, live, merged *unstructured.Unstructured) (*Change, error) {
	before, after := comparable(live), comparable(merged)
	same, err := equalYAML(before, after)
	if err != nil || same {
		return nil, err
	}
	if before.GetKind() == "Secret" && before.GroupVersionKind().Group == "" {
		maskSecret(before, after)
	}
	a, err := yaml.Marshal(before.Object)
	if err != nil {
		return nil, err
	}
	b, err := yaml.Marshal(after.Object)
	if err != nil {
		return nil, err
	}
	text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(string(a)), B: difflib.SplitLines(string(b)),
		FromFile: "live", ToFile: "merged", Context: 3,
	})
	if err != nil {
		return nil, err
	}
	return &Change{Ref: ref, Action: Drifted, Diff: text}, nil
}

// comparable returns a copy of obj without what the apiserver maintains.
func comparable(obj *unstructured.Unstructured) *unstructured.Unstructured {
	c := obj.DeepCopy()
	for _, f := range []string{"managedFields", "resourceVersion", "generation", "uid", "creationTimestamp"} {
		unstructured.RemoveNestedField(c.Object, "metadata", f)
	}
	delete(c.Object, "status")
	return c
}

func equalYAML(a, b *unstructured.Unstructured) (bool, error) {
	x, err := yaml.Marshal(a.Object)
	if err != nil {
		return false, err
	}
	y, err := yaml.Marshal(b.Object)
	return string(x) == string(y), err
}

// pruned returns the objects of inv that are not built and that the
// controller's prune would delete: they exist, carry the owner labels and
// are not protected in the cluster (policy.Prunable).
func pruned(ctx context.Context, c client.Client, inv *kustomizev1.ResourceInventory, built map[string]bool, owner map[string]string) ([]Change, error) {
	var out []Change
	for _, e := range inv.Entries {
		if built[e.ID] {
			continue
		}
		ref, err := inventory.ParseID(e.ID, e.Version)
		if err != nil {
			return nil, err
		}
		live := &unstructured.Unstructured{}
		live.SetGroupVersionKind(ref.GroupVersionKind())
		err = c.Get(ctx, client.ObjectKey{Namespace: ref.Namespace, Name: ref.Name}, live)
		switch {
		case apierrors.IsNotFound(err), meta.IsNoMatchError(err):
			continue // already gone
		case err != nil:
			return nil, fmt.Errorf("%s: %w", refOf(live), err)
		}
		if !ownedBy(live, owner) || !policy.Prunable(live) || live.GetDeletionTimestamp() != nil {
			continue
		}
		out = append(out, Change{Ref: refOf(live), Action: Deleted})
	}
	return out, nil
}

func ownedBy(obj *unstructured.Unstructured, owner map[string]string) bool {
	labels := obj.GetLabels()
	for k, v := range owner {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// inventoryID is the id the controller writes to status.inventory.
func inventoryID(obj *unstructured.Unstructured) string {
	return inventory.RefOf(obj).ID()
}

// refOf names obj as the controller's events do.
func refOf(obj *unstructured.Unstructured) string {
	return inventory.RefOf(obj).String()
}
