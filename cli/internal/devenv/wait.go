package devenv

import (
	"context"
	"fmt"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/bootstrap"
	"github.com/tidegitops/tide/cli/internal/install"
	"github.com/tidegitops/tide/cli/internal/kube"
)

// What the demo repo deploys (examples/), and what Up waits for.
const (
	ClusterPath   = "clusters/dev"
	DemoNamespace = "demo"
	DemoApp       = "hello"
	// DemoHelmRelease is the demo's HelmRelease (examples/apps-helm, in
	// flux-system, targetNamespace demo); its release, and the chart's
	// Deployment, are named DemoHelmApp (<targetNamespace>-<name>, as Flux
	// names releases).
	DemoHelmRelease = "hello"
	DemoHelmApp     = "demo-hello"
)

// DemoKustomizations are the Kustomizations of examples/clusters/dev, in
// dependency order: sources applies the HelmRepository, HelmChart and
// OCIRepository (and waits for them to be Ready), apps-oci applies the
// OCI artifact, apps-helm the HelmRelease of the demo chart (and waits for
// it to be Ready), notifications the Receiver, Alert and Provider, images
// the ImageRepository, ImagePolicy and ImageUpdateAutomation.
var DemoKustomizations = []string{"infrastructure", "apps", "sources", "apps-oci", "apps-helm", "notifications", "images"}

// DemoHelmChart and DemoOCIRepository are the demo's chart and OCI source
// (examples/sources), in flux-system.
const (
	DemoHelmChart     = "hello"
	DemoOCIRepository = "demo-manifests"
)

// bootstrap connects the cluster to the demo repo: it commits the install
// and sync manifests to clusters/dev/flux-system and waits for the sync.
func (e *Env) bootstrap(ctx context.Context) error {
	cfg, err := e.RESTConfig()
	if err != nil {
		return err
	}
	return bootstrap.Run(ctx, kube.WithConfig(cfg, kube.DefaultNamespace), e.cfg.Out, bootstrap.Options{
		URL: e.RepoURL, Branch: "main", Path: ClusterPath,
		// The Receiver (examples/notifications) fetches each push at once;
		// polling is only the fallback.
		Interval: 10 * time.Minute, Timeout: e.cfg.Timeout, SkipComponentsWait: true,
	})
}

// waitDemo waits until the demo Kustomizations are Ready (apps-helm only
// once its HelmRelease is) and the demo Deployments are available.
func (e *Env) waitDemo(ctx context.Context) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	for _, name := range DemoKustomizations {
		key := client.ObjectKey{Namespace: kube.DefaultNamespace, Name: name}
		msg := fmt.Sprintf("waiting for Kustomization/%s/%s to be Ready", key.Namespace, key.Name)
		if err := install.Poll(ctx, e.cfg.Out, e.cfg.Timeout, msg, func(ctx context.Context) (string, error) {
			return kustomizationPending(ctx, c, key)
		}); err != nil {
			return err
		}
		e.cfg.Out.Success("Kustomization/%s/%s is Ready", key.Namespace, key.Name)
	}
	// The Git app's Deployment and the one the HelmRelease installed.
	for _, name := range []string{DemoApp, DemoHelmApp} {
		ref := install.DeploymentRef(DemoNamespace, name)
		msg := fmt.Sprintf("waiting for Deployment/%s/%s to be available", DemoNamespace, name)
		if err := install.Poll(ctx, e.cfg.Out, e.cfg.Timeout, msg, func(ctx context.Context) (string, error) {
			return install.Pending(ctx, c, ref)
		}); err != nil {
			return err
		}
		d := &appsv1.Deployment{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: DemoNamespace, Name: name}, d); err != nil {
			return err
		}
		e.cfg.Out.Success("Deployment/%s/%s is available (%d/%d Ready, on the kwok node)", DemoNamespace, name, d.Status.ReadyReplicas, d.Status.Replicas)
	}
	return e.reportSources(ctx, c)
}

// reportSources says what the demo's chart and OCI sources fetched (the
// sources Kustomization waited for them to be Ready).
func (e *Env) reportSources(ctx context.Context, c client.Client) error {
	chart := &sourcev1.HelmChart{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: kube.DefaultNamespace, Name: DemoHelmChart}, chart); err != nil {
		return err
	}
	oci := &sourcev1.OCIRepository{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: kube.DefaultNamespace, Name: DemoOCIRepository}, oci); err != nil {
		return err
	}
	for _, s := range []struct {
		what string
		a    *meta.Artifact
	}{{"HelmChart/flux-system/" + DemoHelmChart, chart.Status.Artifact}, {"OCIRepository/flux-system/" + DemoOCIRepository, oci.Status.Artifact}} {
		if s.a == nil {
			return fmt.Errorf("%s is Ready but has no artifact", s.what)
		}
		e.cfg.Out.Success("%s fetched revision %s", s.what, s.a.Revision)
	}
	return nil
}

// kustomizationPending says why the Kustomization is not Ready yet, or "".
func kustomizationPending(ctx context.Context, c client.Client, key client.ObjectKey) (string, error) {
	k := &kustomizev1.Kustomization{}
	if err := c.Get(ctx, key, k); err != nil {
		if apierrors.IsNotFound(err) {
			return "not created yet (flux-system applies clusters/dev)", nil
		}
		return "", err
	}
	ready := apimeta.FindStatusCondition(k.Status.Conditions, "Ready")
	switch {
	case ready == nil:
		return "no Ready condition yet", nil
	case k.Status.ObservedGeneration != k.Generation:
		return "its latest generation is not reconciled yet", nil
	case ready.Status != "True":
		return ready.Reason + ": " + ready.Message, nil
	}
	return "", nil
}
