package helmrender

import (
	"context"
	"errors"
	"fmt"
	"os"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	rcommon "helm.sh/helm/v4/pkg/release/common"
	releasev1 "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage/driver"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/helm-controller/naming"
	"github.com/tidegitops/tide/helm-controller/postrender"
	"github.com/tidegitops/tide/helm-controller/values"
)

// Input says which HelmRelease to render, and with which local values.
type Input struct {
	Name, Namespace string
	// ValuesFiles are YAML files of values merged, in order, over the
	// values the controller composes (spec.valuesFrom, spec.values).
	ValuesFiles []string
}

// Target names the Helm release and where it lives.
type Target struct {
	Name, Namespace, StorageNamespace string
}

// Result is a rendered release.
type Result struct {
	HelmRelease *helmv2.HelmRelease
	Target      Target
	// Chart is <name>@<version>, as the controller names it.
	Chart string
	// Upgrade: rendered as an upgrade of the release in storage (an
	// install when there is none).
	Upgrade bool
	// Manifest is what Helm would apply: the rendered templates without
	// hooks and without the chart's crds/ folder, as a release holds it.
	Manifest string
	// Previous is the manifest of the release in storage that an upgrade
	// replaces; "" when there is none.
	Previous string
}

// Render renders the HelmRelease in (from the cluster c reads, config
// reaches) as the helm-controller would release it now, in a server-side
// dry run: nothing in the cluster changes.
func Render(ctx context.Context, config *rest.Config, c client.Client, in Input) (*Result, error) {
	hr, err := get(ctx, c, in.Namespace, in.Name)
	if err != nil {
		return nil, err
	}
	if err := checkSupported(hr); err != nil {
		return nil, err
	}
	ch, err := loadChart(ctx, c, config, hr)
	if err != nil {
		return nil, err
	}
	vals, err := composeValues(ctx, c, hr, in.ValuesFiles)
	if err != nil {
		return nil, err
	}
	t := Target{
		Name:             naming.ReleaseName(hr.GetReleaseName()),
		Namespace:        hr.GetReleaseNamespace(),
		StorageNamespace: hr.GetStorageNamespace(),
	}
	g, err := newGetter(config)
	if err != nil {
		return nil, fmt.Errorf("connect to the cluster: %w", err)
	}
	cfg, err := helmConfig(g, t)
	if err != nil {
		return nil, err
	}
	res := &Result{HelmRelease: hr, Target: t, Chart: ch.Name() + "@" + ch.Metadata.Version}
	last, err := lastRelease(cfg, t.Name)
	if err != nil {
		return nil, err
	}
	var rel *releasev1.Release
	if last == nil {
		rel, err = dryRunInstall(ctx, cfg, hr, t, ch, vals)
	} else {
		res.Upgrade, res.Previous = true, last.Manifest
		rel, err = dryRunUpgrade(ctx, cfg, hr, t, ch, vals)
	}
	if err != nil {
		return nil, fmt.Errorf("render chart %s for release %s/%s: %w", res.Chart, t.Namespace, t.Name, err)
	}
	res.Manifest = rel.Manifest
	return res, nil
}

func get(ctx context.Context, c client.Reader, namespace, name string) (*helmv2.HelmRelease, error) {
	hr := &helmv2.HelmRelease{}
	err := c.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, hr)
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("HelmRelease '%s/%s' not found: check the name and -n/--namespace", namespace, name)
	}
	if err != nil {
		return nil, fmt.Errorf("get HelmRelease '%s/%s': %w", namespace, name, err)
	}
	return hr, nil
}

// composeValues composes the values as the controller does, then merges
// the local files over them, in order.
func composeValues(ctx context.Context, c client.Reader, hr *helmv2.HelmRelease, files []string) (map[string]any, error) {
	vals, err := values.Compose(ctx, c, hr.Namespace, hr.GetValues(), hr.Spec.ValuesFrom)
	if err != nil {
		return nil, err
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("read --values: %w", err)
		}
		doc, err := common.ReadValues(data)
		if err != nil {
			return nil, fmt.Errorf("--values '%s' is not a YAML map of values: %w", file, err)
		}
		vals = values.Merge(vals, doc)
	}
	return vals, nil
}

// lastRelease returns the release an upgrade would start from: the latest
// in storage, nil when there is none or it was uninstalled (the controller
// then installs).
func lastRelease(cfg *action.Configuration, name string) (*releasev1.Release, error) {
	r, err := cfg.Releases.Last(name)
	if errors.Is(err, driver.ErrReleaseNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read release %s from Helm's storage: %w", name, err)
	}
	rel, ok := r.(*releasev1.Release)
	if !ok {
		return nil, fmt.Errorf("unsupported Helm release type %T", r)
	}
	switch {
	case rel.Info.Status == rcommon.StatusUninstalled || rel.Info.Status == rcommon.StatusUninstalling:
		return nil, nil
	case rel.Info.Status.IsPending():
		return nil, fmt.Errorf("release %s.v%d is %s: an action was interrupted; the helm-controller unlocks it "+
			"on its next reconcile (tide reconcile helmrelease), then render again", rel.Name, rel.Version, rel.Info.Status)
	}
	return rel, nil
}

// dryRunInstall renders the chart with the controller's install options
// that change what is rendered or refused.
func dryRunInstall(ctx context.Context, cfg *action.Configuration, hr *helmv2.HelmRelease, t Target, ch *chart.Chart, vals map[string]any) (*releasev1.Release, error) {
	in := hr.GetInstall()
	a := action.NewInstall(cfg)
	a.DryRunStrategy = action.DryRunServer
	a.ReleaseName, a.Namespace = t.Name, t.Namespace
	a.DisableHooks = in.DisableHooks
	a.DisableOpenAPIValidation = in.DisableOpenAPIValidation
	a.SkipSchemaValidation = in.DisableSchemaValidation
	a.TakeOwnership = !in.DisableTakeOwnership
	a.SkipCRDs = true // never in the manifest; a dry run would only warn
	a.PostRenderer, a.PostRenderStrategy = postrender.New(hr), postrender.Strategy(hr)
	r, err := a.RunWithContext(ctx, ch, vals)
	if err != nil {
		return nil, err
	}
	return asV1(r)
}

// dryRunUpgrade renders the chart as an upgrade of the release in storage
// (its next revision), with the controller's upgrade options that change
// what is rendered.
func dryRunUpgrade(ctx context.Context, cfg *action.Configuration, hr *helmv2.HelmRelease, t Target, ch *chart.Chart, vals map[string]any) (*releasev1.Release, error) {
	up := hr.GetUpgrade()
	a := action.NewUpgrade(cfg)
	a.DryRunStrategy = action.DryRunServer
	a.Namespace = t.Namespace
	a.DisableHooks = up.DisableHooks
	a.DisableOpenAPIValidation = up.DisableOpenAPIValidation
	a.SkipSchemaValidation = up.DisableSchemaValidation
	a.ReuseValues = up.PreserveValues
	a.ResetValues = !up.PreserveValues
	a.TakeOwnership = !up.DisableTakeOwnership
	a.ServerSideApply = "auto"
	a.PostRenderer, a.PostRenderStrategy = postrender.New(hr), postrender.Strategy(hr)
	r, err := a.RunWithContext(ctx, t.Name, ch, vals)
	if err != nil {
		return nil, err
	}
	return asV1(r)
}

func asV1(r any) (*releasev1.Release, error) {
	if rel, ok := r.(*releasev1.Release); ok && rel != nil {
		return rel, nil
	}
	return nil, fmt.Errorf("unsupported Helm release type %T", r)
}

// checkSupported refuses a release the render cannot reach: one in
// another cluster (spec.kubeConfig), which the helm-controller releases
// there, not in the cluster of the HelmRelease.
func checkSupported(hr *helmv2.HelmRelease) error {
	if hr.Spec.KubeConfig != nil {
		return fmt.Errorf("HelmRelease '%s/%s' sets spec.kubeConfig: its release is in another cluster, "+
			"which tide cannot render against yet", hr.Namespace, hr.Name)
	}
	return nil
}
