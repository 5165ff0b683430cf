package drift

import (
	"context"
	"encoding/json"
	"fmt"

	"gomodules.xyz/jsonpatch/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
)

// Kind is what Detect found of one object.
type Kind string

const (
	// Removed: the object is gone from the cluster.
	Removed Kind = "removed"
	// Changed: the object differs from the release.
	Changed Kind = "changed"
	// Excluded: the object opts out, or an ignore rule leaves it out whole.
	Excluded Kind = "excluded"
	// Unchanged: the object is as the release made it.
	Unchanged Kind = "unchanged"
)

// Change is what Detect found of one object of the release.
type Change struct {
	Kind Kind
	// Object is the object as the release has it.
	Object *unstructured.Unstructured
	// Patch turns the live object into the release's (Changed only),
	// without the ignored fields.
	Patch []jsonpatch.Operation
}

// Report is what Detect found, one Change per object of the release.
type Report []Change

// HasChanges tells whether an object was removed or changed.
func (r Report) HasChanges() bool {
	for _, c := range r {
		if c.Kind == Removed || c.Kind == Changed {
			return true
		}
	}
	return false
}

// Detect compares each of objs with the cluster c reaches: a server-side
// dry-run apply of it as fieldManager, forcing ownership, against the live
// object. Like Flux, it compares spec, data and every other top-level field
// but metadata and status in full, and of metadata only the labels and
// annotations the release sets (a label a controller adds is no drift).
func Detect(ctx context.Context, c client.Client, objs []*unstructured.Unstructured, fieldManager string,
	ignore []helmv2.IgnoreRule) (Report, error) {
	rules, err := compile(ignore)
	if err != nil {
		return nil, err
	}
	report := make(Report, 0, len(objs))
	for _, obj := range objs {
		change, err := detect(ctx, c, obj, fieldManager, ignoredPaths(rules, obj))
		if err != nil {
			return report, err
		}
		report = append(report, change)
	}
	return report, nil
}

func detect(ctx context.Context, c client.Client, obj *unstructured.Unstructured, fieldManager string, ignored []string) (Change, error) {
	if excluded(obj) {
		return Change{Kind: Excluded, Object: obj}, nil
	}
	for _, p := range ignored {
		if p == "" { // the root: the whole object
			return Change{Kind: Excluded, Object: obj}, nil
		}
	}
	live := obj.DeepCopy()
	switch err := c.Get(ctx, client.ObjectKeyFromObject(obj), live); {
	case apierrors.IsNotFound(err):
		return Change{Kind: Removed, Object: obj}, nil
	case err != nil:
		return Change{}, fmt.Errorf("read %s: %w", name(obj), err)
	}
	dryRun := obj.DeepCopy()
	if err := c.Patch(ctx, dryRun, client.Apply, client.DryRunAll, client.ForceOwnership, client.FieldOwner(fieldManager)); err != nil {
		if apierrors.IsNotFound(err) {
			return Change{Kind: Removed, Object: obj}, nil
		}
		return Change{}, fmt.Errorf("dry-run apply %s: %s", name(obj), masked(obj, err))
	}
	for _, p := range ignored {
		removePointer(live.Object, p)
		removePointer(dryRun.Object, p)
	}
	patch, err := difference(live, dryRun)
	if err != nil {
		return Change{}, fmt.Errorf("compare %s: %w", name(obj), err)
	}
	if len(patch) == 0 {
		return Change{Kind: Unchanged, Object: obj}, nil
	}
	return Change{Kind: Changed, Object: obj, Patch: patch}, nil
}

// excluded tells whether u, as the release has it, opts out with Flux's
// label or annotation (set in the chart or by a post-renderer).
func excluded(u *unstructured.Unstructured) bool {
	return u.GetLabels()[helmv2.DriftDetectionMetadataKey] == helmv2.DriftDetectionDisabledValue ||
		u.GetAnnotations()[helmv2.DriftDetectionMetadataKey] == helmv2.DriftDetectionDisabledValue
}

// difference is the JSON patch from live to want: every field but metadata
// and status, and the labels and annotations want adds or changes.
func difference(live, want *unstructured.Unstructured) ([]jsonpatch.Operation, error) {
	meta, err := diff(labelsAndAnnotations(live), labelsAndAnnotations(want))
	if err != nil {
		return nil, err
	}
	var patch []jsonpatch.Operation
	for _, op := range meta {
		if op.Operation != "remove" {
			patch = append(patch, op)
		}
	}
	rest, err := diff(withoutMetadataAndStatus(live), withoutMetadataAndStatus(want))
	if err != nil {
		return nil, err
	}
	return append(patch, rest...), nil
}

func diff(a, b map[string]any) ([]jsonpatch.Operation, error) {
	x, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	y, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	return jsonpatch.CreatePatch(x, y)
}

func labelsAndAnnotations(u *unstructured.Unstructured) map[string]any {
	md := map[string]any{}
	for _, f := range []string{"labels", "annotations"} {
		if v, ok, _ := unstructured.NestedFieldCopy(u.Object, "metadata", f); ok {
			md[f] = v
		}
	}
	return map[string]any{"metadata": md}
}

func withoutMetadataAndStatus(u *unstructured.Unstructured) map[string]any {
	c := u.DeepCopy().Object
	delete(c, "metadata")
	delete(c, "status")
	return c
}

// masked is err's message, without the apiserver's detail for a Secret
// (a refused value may be quoted in it).
func masked(obj *unstructured.Unstructured, err error) string {
	if obj.GetKind() == "Secret" && obj.GroupVersionKind().Group == "" {
		return fmt.Sprintf("the apiserver refused it (%s)", apierrors.ReasonForError(err))
	}
	return err.Error()
}
