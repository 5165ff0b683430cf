// Package helmindex holds the parsed Helm repository indexes shared by
// every HelmChart of the controller.
//
// An index is keyed by the digest of the stored artifact it was loaded
// from, so an index is parsed once per digest however many HelmCharts use
// it, and concurrent callers for one digest wait for a single parse. The
// cache is bounded by --helm-cache-max-size entries (least recently used
// dropped first) and --helm-cache-ttl (from the last use), and a purge
// every --helm-cache-purge-interval drops expired entries. Besides, an
// index is found again, at no memory cost, as long as anything still holds
// it (weak references): so a max size of 0 (Flux's default, where Flux
// caches nothing) keeps no index alive that nothing uses, as Flux, but
// still shares one parse among the HelmCharts reconciled meanwhile.
//
// Indexes returned are shared: callers must not change them.
//
//	cache := helmindex.New(maxEntries, ttl)
//	go cache.Run(ctx, purgeInterval)
//	index, err := cache.Get(ctx, artifact.Digest, func() (io.ReadCloser, error) { return os.Open(path) })
//	cache.Put(artifact.Digest, index)   // an index parsed elsewhere (the HelmRepository reconciler)
//	cv, err := helmindex.Latest(index, "podinfo", ">=6.0.0 <7.0.0")
//	index, err := helmindex.Parse(data) // YAML or JSON, as Helm reads it
package helmindex
