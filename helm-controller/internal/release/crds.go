package release

import (
	"bytes"
	"fmt"
	"time"

	"helm.sh/helm/v4/pkg/action"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/kube"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
)

// crdWait bounds the wait for new CRDs to be served, as Helm bounds it.
const crdWait = time.Minute

// applyCRDs applies the chart's crds/ folder, which Helm itself only
// creates on install: replace false creates the missing CRDs, true also
// updates existing ones (server-side apply). It waits until they are
// served and forgets the cached API, so the chart's objects of these kinds
// can be applied next.
func applyCRDs(cfg *action.Configuration, ch *chart.Chart, replace bool) error {
	var applied kube.ResourceList
	for _, crd := range ch.CRDObjects() {
		if crd.File == nil || len(crd.File.Data) == 0 {
			continue
		}
		res, err := cfg.KubeClient.Build(bytes.NewReader(crd.File.Data), false)
		if err != nil {
			return fmt.Errorf("CRD %s: %w", crd.Name, err)
		}
		if replace {
			if _, err := cfg.KubeClient.Update(res, res, kube.ClientUpdateOptionServerSideApply(true, true)); err != nil {
				return fmt.Errorf("apply CRD %s: %w", crd.Name, err)
			}
			applied = append(applied, res...)
			continue
		}
		for _, info := range res {
			if _, err := cfg.KubeClient.Create(kube.ResourceList{info}, kube.ClientCreateOptionServerSideApply(true, true)); err != nil {
				if apierrors.IsAlreadyExists(err) {
					continue
				}
				return fmt.Errorf("create CRD %s: %w", crd.Name, err)
			}
			applied = append(applied, info)
		}
	}
	if len(applied) == 0 {
		return nil
	}
	waiter, err := cfg.KubeClient.GetWaiter(kube.StatusWatcherStrategy)
	if err != nil {
		return err
	}
	if err := waiter.Wait(applied, crdWait); err != nil {
		return fmt.Errorf("wait for CRDs to be served: %w", err)
	}
	if cfg.RESTClientGetter != nil {
		if dc, err := cfg.RESTClientGetter.ToDiscoveryClient(); err == nil && dc != nil {
			dc.Invalidate()
		}
		if m, err := cfg.RESTClientGetter.ToRESTMapper(); err == nil {
			if r, ok := m.(meta.ResettableRESTMapper); ok {
				r.Reset()
			}
		}
	}
	return nil
}
