package main

import (
	"context"
	"fmt"
	"net/http"

	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/tidegitops/tide/helm-controller/chartfetch"
	"github.com/tidegitops/tide/helm-controller/internal/charttemplate"
	"github.com/tidegitops/tide/helm-controller/internal/helmrelease"
	"github.com/tidegitops/tide/helm-controller/internal/release"
	tidemanager "github.com/tidegitops/tide/skeleton/manager"
)

// setupHelmReleases runs the HelmRelease reconciler in mgr with the
// controller's flags.
func setupHelmReleases(ctx context.Context, cfg *rest.Config, mgr ctrl.Manager, opts options) error {
	skel, err := tidemanager.NewSkeleton(mgr, opts.Options)
	if err != nil {
		return err
	}
	reconciler := &helmrelease.Reconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Skeleton:  skel,
		Clusters:  release.NewClusters(cfg, mgr.GetAPIReader(), opts.defaultSA, opts.kubeConfig),
		Charts:    &chartfetch.Fetcher{Client: &http.Client{Timeout: opts.httpTimeout}},
		Templates: charttemplate.New(mgr.GetClient(), controllerName, opts.noCrossNamespaceRefs),
		Options: helmrelease.Options{
			DependencyRequeue:          opts.RequeueDependency,
			NoCrossNamespaceRefs:       opts.noCrossNamespaceRefs,
			AdditiveCELDependencyCheck: opts.gates.AdditiveCELDependencyCheck,
			DefaultToRetryOnFailure:    opts.gates.DefaultToRetryOnFailure,
			WatchConfigs:               opts.WatchConfigs,
		},
	}
	if err := reconciler.SetupWithManager(ctx, mgr, opts.ControllerOptions()); err != nil {
		return fmt.Errorf("set up HelmRelease controller: %w", err)
	}
	return nil
}
