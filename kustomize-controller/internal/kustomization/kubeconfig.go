package kustomization

import (
	"errors"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/clusterkit/access"
	"github.com/tidegitops/tide/skeleton"
)

// The kubeconfig of spec.kubeConfig.secretRef is read and checked by
// clusterkit/access, which the helm-controller shares; these names keep
// this package's uses short.
type (
	// KubeConfigOptions are --insecure-kubeconfig-exec and -tls.
	KubeConfigOptions = access.KubeConfigOptions
	kubeConfigError   = access.KubeConfigError
)

// kubeConfigUnsupportedReason: spec.kubeConfig.configMapRef asks for a
// cloud identity, which Tide does not implement yet.
const kubeConfigUnsupportedReason = "KubeConfigUnsupported"

// configMapRefUnsupported says why spec.kubeConfig.configMapRef is refused.
const configMapRefUnsupported = "spec.kubeConfig.configMapRef is set, and Tide cannot reach a remote cluster " +
	"with a cloud identity (workload identity) yet: nothing is applied or pruned. Use spec.kubeConfig.secretRef " +
	"with a kubeconfig Secret, or keep this Kustomization on Flux's kustomize-controller for now"

// clusterFailed turns a failure to get obj's cluster client into the
// outcome: a refused kubeConfig stalls (the user must change it), anything
// else (a Secret not there yet, an unreachable cluster) is tried again.
func clusterFailed(obj *kustomizev1.Kustomization, err error) error {
	var refused *kubeConfigError
	switch {
	case errors.As(err, &refused) && refused.Unsupported:
		return skeleton.Stall(kubeConfigUnsupportedReason, "%s", err)
	case errors.As(err, &refused) && !refused.Missing:
		return skeleton.Stall(kustomizev1.ReconciliationFailedReason,
			"%s; fix the Secret, then reconcile the Kustomization", err)
	default:
		return retryLater(obj, kustomizev1.ReconciliationFailedReason, "%s", err)
	}
}
