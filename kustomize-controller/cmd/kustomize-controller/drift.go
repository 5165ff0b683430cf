package main

import (
	"context"
	"fmt"

	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/tidegitops/tide/kustomize-controller/internal/drift"
)

// newDriftWatcher returns the watcher of applied objects, reading
// metadata only, over the manager's HTTP client and REST mapper.
func newDriftWatcher(ctx context.Context, cfg *rest.Config, mgr ctrl.Manager, fieldManager string) (*drift.Watcher, error) {
	client, err := metadata.NewForConfigAndClient(cfg, mgr.GetHTTPClient())
	if err != nil {
		return nil, fmt.Errorf("metadata client: %w", err)
	}
	return drift.NewWatcher(ctx, client, mgr.GetRESTMapper(), fieldManager), nil
}
