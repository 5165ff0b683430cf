package main

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/tidegitops/tide/image-automation-controller/internal/tagstore"
	"github.com/tidegitops/tide/skeleton"
)

// What the process needs of the Kubernetes API besides what each
// reconciler's package declares: the leader election lease, events through
// the events.k8s.io API, and the ServiceAccounts whose imagePullSecrets an
// ImageRepository scan reads (spec.serviceAccountName).
//
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups="",resources=serviceaccounts,verbs=get;list;watch

// setupReconcilers sets up the controller's reconcilers in mgr. This is the
// one place a reconciler is added: one call per kind, to its package's
// Setup, with what it needs from the flags. ImageRepository and
// ImagePolicy share the tag store opened here.
func setupReconcilers(ctx context.Context, mgr ctrl.Manager, skel *skeleton.Skeleton, opts options) error {
	tags, err := tagstore.Open(opts.storagePath, tagstore.Options{})
	if err != nil {
		return storageError(opts.storagePath, err)
	}
	if err := checkWritable(opts.storagePath); err != nil {
		return storageError(opts.storagePath, err)
	}
	if err := setupImageScan(ctx, mgr, skel, opts, tags); err != nil {
		return err
	}
	return setupImageUpdate(ctx, mgr, skel, opts)
}
