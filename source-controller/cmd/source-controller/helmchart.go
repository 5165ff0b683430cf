package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/chartbuild"
	"github.com/tidegitops/tide/source-controller/internal/helmchart"
	"github.com/tidegitops/tide/source-controller/internal/helmindex"
	"github.com/tidegitops/tide/source-controller/internal/storage"
)

// helmChartFlags are Flux's size caps of Helm charts, with Flux's defaults.
type helmChartFlags struct {
	chartbuild.Limits
}

func (f *helmChartFlags) bind(fs *pflag.FlagSet) {
	fs.Int64Var(&f.ChartSize, "helm-chart-max-size", chartbuild.DefaultLimits.ChartSize,
		"Largest Helm chart accepted (a downloaded or packaged .tgz), in bytes.")
	fs.Int64Var(&f.FileSize, "helm-chart-file-max-size", chartbuild.DefaultLimits.FileSize,
		"Largest file inside a Helm chart folder accepted, in bytes.")
}

// setupHelmCharts registers the HelmChart controller, reading HTTP chart
// repositories' indexes through the cache it shares with the HelmRepository
// controller.
func setupHelmCharts(ctx context.Context, mgr manager.Manager, skel *skeleton.Skeleton, store *storage.Storage,
	indexes *helmindex.Cache, f helmChartFlags, indexMaxSize int64, requeue time.Duration, copts controller.Options) error {
	r := &helmchart.Reconciler{
		Client: mgr.GetClient(), Skeleton: skel, Storage: store, Limits: f.Limits, DependencyRequeue: requeue,
		HTTP: &helmchart.HTTPCharts{Client: mgr.GetClient(), Storage: store, Indexes: indexes, MaxIndexSize: indexMaxSize},
	}
	if err := r.SetupWithManager(ctx, mgr, copts); err != nil {
		return fmt.Errorf("set up HelmChart controller: %w", err)
	}
	return nil
}
