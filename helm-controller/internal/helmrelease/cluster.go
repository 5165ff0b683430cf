package helmrelease

import (
	"context"
	"errors"

	ctrl "sigs.k8s.io/controller-runtime"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/clusterkit/access"
	"github.com/tidegitops/tide/helm-controller/internal/release"
	"github.com/tidegitops/tide/skeleton"
)

// restClientErrorReason is Flux's Ready reason when the connection to the
// release's cluster cannot be made (spec.kubeConfig).
const restClientErrorReason = "RESTClientError"

// targetOf is where, and as whom, obj's Helm actions run.
func targetOf(obj *helmv2.HelmRelease) access.Target {
	t := access.Target{Namespace: obj.Namespace, ServiceAccountName: obj.Spec.ServiceAccountName}
	if kc := obj.Spec.KubeConfig; kc != nil {
		t.KubeConfig = &access.KubeConfigRef{}
		if kc.SecretRef != nil {
			t.KubeConfig.SecretName, t.KubeConfig.SecretKey = kc.SecretRef.Name, kc.SecretRef.Key
		}
		if kc.ConfigMapRef != nil {
			t.KubeConfig.ConfigMapName = kc.ConfigMapRef.Name
		}
	}
	return t
}

// getter returns the connection obj's Helm actions use: shared with the
// HelmReleases of the same cluster and identity, or, with
// spec.persistentClient false, one whose API is discovered anew.
func (r *Reconciler) getter(ctx context.Context, obj *helmv2.HelmRelease) (*release.Getter, error) {
	g, err := r.Clusters.For(ctx, targetOf(obj))
	if err != nil {
		return nil, clusterFailed(err)
	}
	if !obj.UsePersistentClient() {
		g = g.Unshared()
	}
	return g, nil
}

// clusterFailed turns a failure to connect to the release's cluster into
// the outcome: a kubeconfig that is refused stalls (the Secret must
// change, and a change of it is not watched), one that is missing is
// looked for again, as is a cluster out of reach.
func clusterFailed(err error) error {
	var kc *access.KubeConfigError
	switch {
	case errors.As(err, &kc) && kc.Unsupported:
		return skeleton.Stall(unsupportedReason, "%s", err)
	case errors.As(err, &kc) && kc.Missing:
		return skeleton.Retryf(restClientErrorReason,
			"%s: create it (or fix spec.kubeConfig.secretRef); the HelmRelease is retried", err)
	case errors.As(err, &kc):
		return skeleton.Stall(restClientErrorReason, "%s; fix the Secret, then reconcile the HelmRelease", err)
	default:
		return skeleton.Retry(restClientErrorReason, err)
	}
}

// uninstallable tells whether the release of a deleted obj can be
// uninstalled, as Flux checks first: not when its kubeconfig Secret is
// gone, nor the service account it impersonates (a namespace being
// deleted takes both along, and nothing could be done in their name).
// The release is then left in place, and the log says why.
func (r *Reconciler) uninstallable(ctx context.Context, obj *helmv2.HelmRelease) (bool, error) {
	if obj.Status.StorageNamespace == "" {
		return true, nil // nothing was released: there is nothing to reach
	}
	log := ctrl.LoggerFrom(ctx)
	t := targetOf(obj)
	if _, err := r.Clusters.For(ctx, t); err != nil {
		if kc, ok := errors.AsType[*access.KubeConfigError](err); ok && kc.Missing {
			log.Error(err, "skipping Helm release uninstallation")
			return false, nil
		}
		return false, clusterFailed(err)
	}
	gone, err := r.Clusters.ServiceAccountGone(ctx, r.APIReader, t)
	if err != nil {
		return false, skeleton.Retry(helmv2.UninstallFailedReason, err)
	}
	if gone != "" {
		log.Info("skipping Helm release uninstallation: " + gone)
		return false, nil
	}
	return true, nil
}
