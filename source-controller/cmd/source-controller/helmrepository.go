package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/helmindex"
	"github.com/tidegitops/tide/source-controller/internal/helmrepository"
	"github.com/tidegitops/tide/source-controller/internal/storage"
)

// helmIndexFlags are Flux's flags of Helm repository indexes and of the
// cache of parsed indexes HelmCharts share, with Flux's defaults.
type helmIndexFlags struct {
	indexMaxSize  int64
	cacheMaxSize  int
	cacheTTL      time.Duration
	purgeInterval time.Duration
}

func (f *helmIndexFlags) bind(fs *pflag.FlagSet) {
	fs.Int64Var(&f.indexMaxSize, "helm-index-max-size", 50<<20, "Largest Helm repository index accepted, in bytes.")
	fs.IntVar(&f.cacheMaxSize, "helm-cache-max-size", 0,
		"How many parsed Helm repository indexes are kept in memory for HelmCharts; with 0 only those in use are shared.")
	fs.DurationVar(&f.cacheTTL, "helm-cache-ttl", 15*time.Minute, "How long a cached Helm repository index stays after its last use.")
	fs.DurationVar(&f.purgeInterval, "helm-cache-purge-interval", time.Minute, "How often expired Helm repository indexes are dropped.")
}

// setupHelmRepositories makes the shared index cache (purged in the
// background) and registers the HelmRepository controller; the cache is
// for the HelmChart controller.
func setupHelmRepositories(ctx context.Context, mgr manager.Manager, skel *skeleton.Skeleton, store *storage.Storage,
	f helmIndexFlags, copts controller.Options) (*helmindex.Cache, error) {
	indexes := helmindex.New(f.cacheMaxSize, f.cacheTTL)
	if err := mgr.Add(manager.RunnableFunc(func(ctx context.Context) error {
		return indexes.Run(ctx, f.purgeInterval)
	})); err != nil {
		return nil, err
	}
	r := &helmrepository.Reconciler{Client: mgr.GetClient(), Skeleton: skel, Storage: store,
		IndexMaxSize: f.indexMaxSize, Indexes: indexes}
	if err := r.SetupWithManager(ctx, mgr, copts); err != nil {
		return nil, fmt.Errorf("set up HelmRepository controller: %w", err)
	}
	ctrl.Log.WithName("setup").V(1).Info("Helm index cache", "max-size", f.cacheMaxSize, "ttl", f.cacheTTL)
	return indexes, nil
}
