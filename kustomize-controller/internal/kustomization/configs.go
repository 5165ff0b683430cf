package kustomization

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

const (
	// configMapIndex indexes Kustomizations by the ConfigMaps they read:
	// postBuild.substituteFrom, kubeConfig.configMapRef.
	configMapIndex = ".spec.configMaps"
	// secretIndex indexes Kustomizations by the Secrets they read:
	// postBuild.substituteFrom, kubeConfig.secretRef.
	secretIndex = ".spec.secrets"
)

// watchConfigs makes a change to a ConfigMap or Secret a Kustomization reads
// reconcile it at once, as Flux does: a new value of substituteFrom is
// applied without waiting for spec.interval. Only the objects the manager's
// cache selects are seen (--watch-configs-label-selector, Flux's
// reconcile.fluxcd.io/watch=Enabled by default), and only their metadata:
// the reconciliation reads the data itself.
func (r *Reconciler) watchConfigs(ctx context.Context, mgr ctrl.Manager, b *builder.Builder) (*builder.Builder, error) {
	indexer := mgr.GetFieldIndexer()
	if err := indexer.IndexField(ctx, &kustomizev1.Kustomization{}, configMapIndex, indexConfigs("ConfigMap")); err != nil {
		return nil, err
	}
	if err := indexer.IndexField(ctx, &kustomizev1.Kustomization{}, secretIndex, indexConfigs("Secret")); err != nil {
		return nil, err
	}
	changed := builder.WithPredicates(predicate.ResourceVersionChangedPredicate{})
	return b.
		WatchesMetadata(&corev1.ConfigMap{}, handler.EnqueueRequestsFromMapFunc(r.listBy(configMapIndex, namespacedName)), changed).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.listBy(secretIndex, namespacedName)), changed), nil
}

// indexConfigs lists the objects of kind ("ConfigMap" or "Secret") a
// Kustomization reads, as namespace/name: they are always in its namespace.
func indexConfigs(kind string) func(client.Object) []string {
	return func(o client.Object) []string {
		obj := o.(*kustomizev1.Kustomization)
		var names []string
		if pb := obj.Spec.PostBuild; pb != nil {
			for _, ref := range pb.SubstituteFrom {
				if ref.Kind == kind {
					names = append(names, ref.Name)
				}
			}
		}
		if kc := obj.Spec.KubeConfig; kc != nil {
			if kind == "Secret" && kc.SecretRef != nil {
				names = append(names, kc.SecretRef.Name)
			}
			if kind == "ConfigMap" && kc.ConfigMapRef != nil {
				names = append(names, kc.ConfigMapRef.Name)
			}
		}
		keys := make([]string, len(names))
		for i, name := range names {
			keys[i] = obj.Namespace + "/" + name
		}
		return keys
	}
}
