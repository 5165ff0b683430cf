package helmrelease

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
)

const (
	// configMapIndex indexes HelmReleases by the ConfigMaps of valuesFrom.
	configMapIndex = ".spec.valuesFrom.configMaps"
	// secretIndex indexes HelmReleases by the Secrets of valuesFrom.
	secretIndex = ".spec.valuesFrom.secrets"
)

// watchConfigs makes a change to a ConfigMap or Secret of valuesFrom
// reconcile the HelmReleases that read it at once, as Flux does: new
// values are released without waiting for spec.interval. Only the objects
// the manager's cache selects are seen (--watch-configs-label-selector,
// Flux's reconcile.fluxcd.io/watch=Enabled by default), and only their
// metadata: the reconciliation reads the data itself.
func (r *Reconciler) watchConfigs(ctx context.Context, mgr ctrl.Manager, b *builder.Builder) (*builder.Builder, error) {
	indexer := mgr.GetFieldIndexer()
	if err := indexer.IndexField(ctx, &helmv2.HelmRelease{}, configMapIndex, indexValuesFrom("ConfigMap")); err != nil {
		return nil, err
	}
	if err := indexer.IndexField(ctx, &helmv2.HelmRelease{}, secretIndex, indexValuesFrom("Secret")); err != nil {
		return nil, err
	}
	changed := builder.WithPredicates(predicate.ResourceVersionChangedPredicate{})
	return b.
		WatchesMetadata(&corev1.ConfigMap{}, handler.EnqueueRequestsFromMapFunc(r.listBy(configMapIndex, namespacedName)), changed).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.listBy(secretIndex, namespacedName)), changed), nil
}

// indexValuesFrom lists the objects of kind a HelmRelease's valuesFrom
// reads, as namespace/name: they are always in its namespace.
func indexValuesFrom(kind string) func(client.Object) []string {
	return func(o client.Object) []string {
		obj := o.(*helmv2.HelmRelease)
		var keys []string
		for _, ref := range obj.Spec.ValuesFrom {
			if ref.Kind == kind {
				keys = append(keys, obj.Namespace+"/"+ref.Name)
			}
		}
		return keys
	}
}
