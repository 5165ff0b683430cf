package release

import (
	"context"
	"time"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/kube"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

// kubeClient is Helm's kube client of one release, whose kstatus waits
// (Helm's StatusWatcherStrategy: Flux's waitStrategy poller, the default)
// poll each object instead of watching its kind (see pollWaiter). Helm's
// legacy waits are its own.
type kubeClient struct {
	*kube.Client
	reader client.Reader
	// poll waits for the action under way (see waitAs).
	poll *pollWaiter
}

var _ kube.InterfaceWaitOptions = (*kubeClient)(nil)

// GetWaiter returns the waiter of a strategy.
func (c *kubeClient) GetWaiter(strategy kube.WaitStrategy) (kube.Waiter, error) {
	return c.GetWaiterWithOptions(strategy)
}

// GetWaiterWithOptions returns the waiter of a strategy. The options are
// Helm's watcher's; the poller takes its own from waitAs.
func (c *kubeClient) GetWaiterWithOptions(strategy kube.WaitStrategy, opts ...kube.WaitOption) (kube.Waiter, error) {
	switch strategy {
	case kube.StatusWatcherStrategy:
		return c.poll, nil
	case kube.HookOnlyStrategy:
		return hooksOnly{c.poll}, nil
	default:
		return c.Client.GetWaiterWithOptions(strategy, opts...)
	}
}

// waitAs makes the next actions of cfg wait until ctx ends, with the
// healthCheckExprs exprs.
func waitAs(ctx context.Context, cfg *action.Configuration, exprs []kustomizev1.CustomHealthCheck) {
	if kc, ok := cfg.KubeClient.(*kubeClient); ok {
		kc.poll = &pollWaiter{ctx: ctx, reader: kc.reader, exprs: exprs, log: kc.Logger()}
	}
}

// hooksOnly waits for hooks only (Flux's disableWait).
type hooksOnly struct{ *pollWaiter }

func (hooksOnly) Wait(kube.ResourceList, time.Duration) error         { return nil }
func (hooksOnly) WaitWithJobs(kube.ResourceList, time.Duration) error { return nil }
func (hooksOnly) WaitForDelete(kube.ResourceList, time.Duration) error {
	return nil
}
