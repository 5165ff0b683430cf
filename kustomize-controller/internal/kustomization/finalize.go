package kustomization

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
	"github.com/tidegitops/tide/kustomize-controller/internal/ssa"
)

// finalize follows spec.deletionPolicy when a Kustomization is deleted:
// MirrorPrune deletes what it applied if spec.prune is set, Delete always,
// WaitForTermination also waits until those objects are gone, Orphan never.
// A suspended Kustomization deletes nothing, as in Flux: suspending is how a
// user takes a Kustomization out of the way while keeping its objects.
//
// The finalizer must not hold the Kustomization forever: a Kustomization
// that cannot be deleted blocks the deletion of its namespace. So, as Flux
// does, when the objects cannot be deleted for good (the cluster cannot be
// reached, the impersonated service account is gone or may not delete them)
// or do not terminate within spec.timeout, they are left in the cluster,
// named in a Warning event and the log, and the finalizer is removed. Other
// failures (a webhook refusing, the apiserver unreachable) are retried for
// spec.timeout, then treated the same way.
func (r *Reconciler) finalize(ctx context.Context, s *scope) error {
	if err := r.collectGarbage(ctx, s); err != nil {
		return err // retried: the remote client is kept for the next attempt
	}
	// The finalizer goes: the remote client of this Kustomization's
	// kubeconfig Secret is no longer needed by it.
	r.Clusters.Forget(s.obj)
	return nil
}

// collectGarbage deletes what the deletionPolicy says should go, or reports
// what it leaves; an error means it is to be tried again.
func (r *Reconciler) collectGarbage(ctx context.Context, s *scope) error {
	obj := s.obj
	policy := obj.GetDeletionPolicy()
	if obj.Spec.Suspend || policy == kustomizev1.DeletionPolicyOrphan || obj.Status.Inventory == nil ||
		(policy == kustomizev1.DeletionPolicyMirrorPrune && !obj.Spec.Prune) {
		return nil
	}
	refs, err := inventory.Stale(obj.Status.Inventory, nil) // every entry, in delete order
	if err != nil {
		r.leftBehind(ctx, obj, nil, fmt.Sprintf("status.inventory cannot be read: %s", err))
		return nil
	}
	if len(refs) == 0 {
		return nil
	}
	cluster, err := r.Clusters.For(ctx, obj)
	var unusable *kubeConfigError
	switch {
	case errors.As(err, &unusable):
		r.leftBehind(ctx, obj, refs, fmt.Sprintf("the target cluster cannot be reached: %s", err))
		return nil
	case err != nil:
		return r.retryOrLeave(ctx, obj, refs, fmt.Errorf("the target cluster cannot be reached: %w", err))
	}
	if gone, err := r.Clusters.ServiceAccountGone(ctx, obj); err != nil {
		return r.retryOrLeave(ctx, obj, refs, err)
	} else if gone != "" {
		r.leftBehind(ctx, obj, refs, gone)
		return nil
	}

	manager := r.newManager(cluster)
	deleted, err := manager.Delete(ctx, refs, ssa.DeleteOptions{OwnerLabels: ownerLabels(obj)})
	s.cluster, s.manager = cluster, manager
	r.report(ctx, s, deleted)
	switch {
	case err != nil && allForbidden(err):
		r.leftBehind(ctx, obj, nil, fmt.Sprintf("%s may not delete them: %s", r.Clusters.identity(obj), err))
		return nil
	case err != nil:
		return r.retryOrLeave(ctx, obj, nil, err)
	}
	if policy != kustomizev1.DeletionPolicyWaitForTermination {
		return nil
	}
	gone := make([]inventory.ObjectRef, len(deleted))
	for i, c := range deleted {
		gone[i] = c.Ref
	}
	if err := manager.WaitForTermination(ctx, gone, obj.GetTimeout()); err != nil {
		r.leftBehind(ctx, obj, nil, fmt.Sprintf("they were deleted but have not terminated: %s", err))
	}
	return nil
}

// retryOrLeave retries a failure that may pass (a webhook refusing, a
// cluster out of reach), until the Kustomization has been deleting for
// longer than spec.timeout: then, rather than hold it and its namespace
// forever, its objects are left as for the failures that will not pass.
func (r *Reconciler) retryOrLeave(ctx context.Context, obj *kustomizev1.Kustomization, refs []inventory.ObjectRef, err error) error {
	deleting := time.Since(obj.GetDeletionTimestamp().Time)
	if deleting < obj.GetTimeout() {
		return err
	}
	r.leftBehind(ctx, obj, refs, fmt.Sprintf("still failing %s after the deletion (spec.timeout %s): %s",
		deleting.Round(time.Second), obj.GetTimeout(), err))
	return nil
}

// leftBehind reports, in a Warning event and the log, the objects the
// finalizer leaves in the cluster and why; refs may be nil when why names
// them already.
func (r *Reconciler) leftBehind(ctx context.Context, obj *kustomizev1.Kustomization, refs []inventory.ObjectRef, why string) {
	msg := "garbage collection incomplete, the finalizer is removed anyway: " + why
	if len(refs) > 0 {
		msg = fmt.Sprintf("%s; %d objects left in the cluster: %s", msg, len(refs), refList(refs))
	}
	r.Skeleton.Events.Eventf(obj, nil, corev1.EventTypeWarning, kustomizev1.PruneFailedReason, "Finalize", "%s", msg)
	ctrl.LoggerFrom(ctx).Error(errors.New(why), "garbage collection incomplete, finalizer removed",
		"objects", refList(refs))
}

// refList names up to 20 objects, for events and logs.
func refList(refs []inventory.ObjectRef) string {
	const most = 20
	names := make([]string, 0, min(len(refs), most))
	for i, ref := range refs {
		if i == most {
			names = append(names, fmt.Sprintf("and %d more", len(refs)-most))
			break
		}
		names = append(names, ref.String())
	}
	return strings.Join(names, ", ")
}

// allForbidden reports whether err and every error joined in it is the
// apiserver's Forbidden: the identity may not delete, and retrying will not
// change that.
func allForbidden(err error) bool {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			if !allForbidden(e) {
				return false
			}
		}
		return len(joined.Unwrap()) > 0
	}
	return apierrors.IsForbidden(err)
}
