package helmrepository

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
)

// clearStatus empties the status as a JSON merge patch: what the object
// may hold from the apiserver's default (observedGeneration -1) or from
// its time as type 'default'.
var clearStatus = []byte(`{"status":{"observedGeneration":null,"conditions":null,"url":null,"artifact":null,"lastHandledReconcileAt":null}}`)

// makeStatic turns a HelmRepository of type 'oci' into what Flux makes of
// it: a holder of the URL and credentials HelmCharts read, with no
// artifact, an empty status and no finalizer, not reconciled on an
// interval. Artifacts left from an earlier type 'default' are deleted. An
// object already static is left alone, as is a suspended one.
func (r *Reconciler) makeStatic(ctx context.Context, obj *sourcev1.HelmRepository) error {
	if obj.Spec.Suspend && obj.DeletionTimestamp.IsZero() {
		return nil
	}
	if !controllerutil.ContainsFinalizer(obj, skeleton.Finalizer) && emptyStatus(obj) {
		return nil
	}
	r.etags.forget(obj.UID)
	if err := r.Storage.RemoveAll(sourcev1.HelmRepositoryKind, obj.Namespace, obj.Name); err != nil {
		return fmt.Errorf("remove the artifacts of a HelmRepository now of type 'oci': %w", err)
	}
	if !emptyStatus(obj) {
		err := r.Status().Patch(ctx, obj, client.RawPatch(types.MergePatchType, clearStatus))
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("clear the status of a HelmRepository of type 'oci': %w", err)
		}
	}
	if controllerutil.ContainsFinalizer(obj, skeleton.Finalizer) {
		patch := client.MergeFrom(obj.DeepCopy())
		controllerutil.RemoveFinalizer(obj, skeleton.Finalizer)
		if err := r.Patch(ctx, obj, patch); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("remove the finalizer of a HelmRepository of type 'oci': %w", err)
		}
	}
	ctrl.LoggerFrom(ctx).V(1).Info("HelmRepository of type 'oci' made static: no artifact, empty status")
	return nil
}

// emptyStatus is true when the status holds nothing; observedGeneration -1
// (the CRD's default) counts as something, as in Flux, so that new objects
// get the empty status too.
func emptyStatus(obj *sourcev1.HelmRepository) bool {
	st := obj.Status
	return st.ObservedGeneration == 0 && st.Conditions == nil && st.URL == "" && st.Artifact == nil &&
		st.LastHandledReconcileAt == ""
}
