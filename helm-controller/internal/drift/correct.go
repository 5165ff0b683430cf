package drift

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Correct puts the drift of r back, as Flux does without a Helm upgrade:
// an object that is gone is created, a changed one patched with the
// difference found (a JSON patch, so ignored fields stay as they are).
// It returns one line per object corrected ("Kind/namespace/name created"
// or "configured"), and the failures joined.
func Correct(ctx context.Context, c client.Client, r Report, fieldManager string) ([]string, error) {
	changes := append(Report(nil), r...)
	sort.SliceStable(changes, func(i, j int) bool { return name(changes[i].Object) < name(changes[j].Object) })
	var done []string
	var errs []error
	for _, ch := range changes {
		switch ch.Kind {
		case Removed:
			obj := ch.Object.DeepCopy()
			if err := c.Create(ctx, obj, client.FieldOwner(fieldManager)); err != nil {
				errs = append(errs, fmt.Errorf("%s creation failure: %s", name(obj), masked(obj, err)))
				continue
			}
			done = append(done, name(obj)+" created")
		case Changed:
			data, err := json.Marshal(ch.Patch)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s patch failure: %w", name(ch.Object), err))
				continue
			}
			obj := ch.Object.DeepCopy()
			if err := c.Patch(ctx, obj, client.RawPatch(types.JSONPatchType, data), client.FieldOwner(fieldManager)); err != nil {
				errs = append(errs, fmt.Errorf("%s patch failure: %s", name(obj), masked(obj, err)))
				continue
			}
			done = append(done, name(obj)+" configured")
		}
	}
	return done, errors.Join(errs...)
}

// Summary is one line per object removed, changed or excluded, as Flux
// writes it: "Kind/namespace/name changed (1 additions, 2 changes, 0
// removals)", "... removed", "... excluded".
func (r Report) Summary() string {
	var lines []string
	for _, c := range r {
		switch c.Kind {
		case Removed, Excluded:
			lines = append(lines, name(c.Object)+" "+string(c.Kind))
		case Changed:
			var add, replace, remove int
			for _, op := range c.Patch {
				switch op.Operation {
				case "add":
					add++
				case "replace":
					replace++
				case "remove":
					remove++
				}
			}
			lines = append(lines, fmt.Sprintf("%s changed (%d additions, %d changes, %d removals)", name(c.Object), add, replace, remove))
		}
	}
	return strings.Join(lines, "\n")
}

// Brief counts the objects by what was found: "removed: 1, changed: 2,
// excluded: 0", as Flux logs it.
func (r Report) Brief() string {
	n := map[Kind]int{}
	for _, c := range r {
		n[c.Kind]++
	}
	return fmt.Sprintf("removed: %d, changed: %d, excluded: %d", n[Removed], n[Changed], n[Excluded])
}
