package main

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/tidegitops/tide/image-automation-controller/internal/imagepolicy"
	"github.com/tidegitops/tide/image-automation-controller/internal/imagerepository"
	"github.com/tidegitops/tide/image-automation-controller/internal/registry"
	"github.com/tidegitops/tide/image-automation-controller/internal/tagstore"
	"github.com/tidegitops/tide/skeleton"
)

// setupImageScan adds the ImageRepository and ImagePolicy reconcilers (the
// work of Flux's image-reflector-controller). They share the tag store and
// the registry clients: a policy's digest read reuses the handshake of its
// repository's scan.
func setupImageScan(ctx context.Context, mgr ctrl.Manager, skel *skeleton.Skeleton, opts options, tags *tagstore.Store) error {
	clients := &registry.Clients{}
	repos := &imagerepository.Reconciler{Client: mgr.GetClient(), Skeleton: skel, Tags: tags, Clients: clients}
	if err := repos.SetupWithManager(ctx, mgr, opts.ControllerOptions()); err != nil {
		return err
	}
	policies := &imagepolicy.Reconciler{Client: mgr.GetClient(), Skeleton: skel, Tags: tags, Clients: clients,
		NoCrossNamespaceRefs: opts.noCrossNamespaceRefs, DependencyRequeue: opts.RequeueDependency}
	return policies.SetupWithManager(ctx, mgr, opts.ControllerOptions())
}
