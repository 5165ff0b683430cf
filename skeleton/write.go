package skeleton

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	jsonpatch "github.com/evanphx/json-patch/v5"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// writer persists what a reconciliation changed in an object, in as few
// requests as the API allows: one merge patch of the metadata (the
// finalizer) and one of the status subresource, each only when it changed.
//
// Every status write costs the apiserver an etcd write and a watch event
// to every watcher. Flux's patch helper writes the conditions and the rest
// of the status in separate requests; at a thousand Kustomizations that
// was most of the controller's own load on the apiserver.
type writer struct {
	client client.Client
	owner  string
	// written is the object as last read or written, as JSON: the base
	// each patch is computed from.
	written []byte
	// stored is the resourceVersion the apiserver returned for the last
	// patch, "" before any.
	stored string
	// superseded are the versions this run stored before stored: a
	// progress write's, or the metadata patch's before the status patch.
	superseded []string
}

// store records version as the one the last patch left.
func (w *writer) store(version string) {
	if w.stored != "" {
		w.superseded = append(w.superseded, w.stored)
	}
	w.stored = version
}

func newWriter(c client.Client, owner string, obj Object) (*writer, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", obj.GetName(), err)
	}
	return &writer{client: c, owner: owner, written: data}, nil
}

// write sends what changed in obj since the last write. The conditions are
// written whole, not merged with other writers': a Tide controller owns
// every condition of the objects it reconciles. An object deleted meanwhile
// gives errGone.
func (w *writer) write(ctx context.Context, obj Object) error {
	now, err := json.Marshal(obj)
	if err != nil {
		return fmt.Errorf("encode %s: %w", obj.GetName(), err)
	}
	diff, err := jsonpatch.CreateMergePatch(w.written, now)
	if err != nil {
		return fmt.Errorf("diff %s: %w", obj.GetName(), err)
	}
	var changed struct {
		Metadata json.RawMessage `json:"metadata,omitempty"`
		Status   json.RawMessage `json:"status,omitempty"`
	}
	if err := json.Unmarshal(diff, &changed); err != nil {
		return fmt.Errorf("diff %s: %w", obj.GetName(), err)
	}
	owner := client.FieldOwner(w.owner)
	if changed.Metadata != nil {
		// The finalizers are written whole: the resourceVersion makes the
		// write fail (Conflict) rather than drop one another writer added
		// since obj was read.
		metadata, err := withResourceVersion(changed.Metadata, obj.GetResourceVersion())
		if err != nil {
			return err
		}
		response, err := w.send(obj, "metadata", metadata, func(o client.Object, p client.Patch) error {
			return w.client.Patch(ctx, o, p, owner)
		})
		if err != nil {
			return err
		}
		w.store(response.GetResourceVersion())
		obj.SetResourceVersion(response.GetResourceVersion())
		if now, err = json.Marshal(obj); err != nil {
			return fmt.Errorf("encode %s: %w", obj.GetName(), err)
		}
	}
	if changed.Status != nil {
		response, err := w.send(obj, "status", changed.Status, func(o client.Object, p client.Patch) error {
			return w.client.Status().Patch(ctx, o, p, owner)
		})
		if err != nil {
			return err
		}
		w.store(response.GetResourceVersion())
	}
	w.written = now
	return nil
}

// send patches one field of obj with value, through patch, and returns the
// object as the apiserver stored it.
func (w *writer) send(obj Object, field string, value json.RawMessage, patch func(client.Object, client.Patch) error) (client.Object, error) {
	body, err := json.Marshal(map[string]json.RawMessage{field: value})
	if err != nil {
		return nil, err
	}
	// The response goes into a copy: obj holds this reconciliation's
	// outcome, which the response to the metadata patch would overwrite
	// with the stored status.
	response := obj.DeepCopyObject().(client.Object)
	switch err = patch(response, client.RawPatch(types.MergePatchType, body)); {
	case apierrors.IsNotFound(err):
		return nil, errGone
	case err != nil:
		return nil, fmt.Errorf("write %s of %s: %w", field, obj.GetName(), err)
	}
	return response, nil
}

// errGone: the object was deleted (its finalizer gone) since it was read.
var errGone = errors.New("the object is gone")

// withResourceVersion adds the resourceVersion to a metadata merge patch,
// which makes the patch conditional on it.
func withResourceVersion(metadata json.RawMessage, version string) (json.RawMessage, error) {
	var m map[string]any
	if err := json.Unmarshal(metadata, &m); err != nil {
		return nil, err
	}
	m["resourceVersion"] = version
	return json.Marshal(m)
}
