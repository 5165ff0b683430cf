package helmrelease

import (
	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/helm-controller/internal/release"
	"github.com/tidegitops/tide/helm-controller/postrender"
)

// The spec's action fields, turned into the release engine's options.

func wait(obj *helmv2.HelmRelease, disable, disableForJobs bool) release.Wait {
	return release.Wait{Disable: disable, DisableForJobs: disableForJobs, Legacy: obj.GetWaitStrategy() == helmv2.WaitStrategyLegacy,
		Exprs: obj.Spec.HealthCheckExprs}
}

// render is the post-rendering of obj's manifests: its post-renderers,
// commonMetadata and origin labels, with its postRenderStrategy.
func render(obj *helmv2.HelmRelease) release.Render {
	return release.Render{PostRenderer: postrender.New(obj), Strategy: postrender.Strategy(obj)}
}

func installOptions(obj *helmv2.HelmRelease) release.InstallOptions {
	in := obj.GetInstall()
	crds := release.CRDPolicy(in.CRDs)
	if in.SkipCRDs && crds == "" {
		crds = release.CRDsSkip
	}
	if crds == "" {
		crds = release.CRDsCreate
	}
	return release.InstallOptions{
		Timeout:                  in.GetTimeout(obj.GetTimeout()).Duration,
		Wait:                     wait(obj, in.DisableWait, in.DisableWaitForJobs),
		DisableHooks:             in.DisableHooks,
		DisableOpenAPIValidation: in.DisableOpenAPIValidation,
		DisableSchemaValidation:  in.DisableSchemaValidation,
		Replace:                  in.Replace,
		CRDs:                     crds,
		CreateNamespace:          in.CreateNamespace,
		ServerSideApply:          in.ServerSideApply == nil || *in.ServerSideApply,
		TakeOwnership:            !in.DisableTakeOwnership,
		Render:                   render(obj),
	}
}

func upgradeOptions(obj *helmv2.HelmRelease) release.UpgradeOptions {
	up := obj.GetUpgrade()
	crds := release.CRDPolicy(up.CRDs)
	if crds == "" {
		crds = release.CRDsSkip
	}
	return release.UpgradeOptions{
		Timeout:                  up.GetTimeout(obj.GetTimeout()).Duration,
		Wait:                     wait(obj, up.DisableWait, up.DisableWaitForJobs),
		DisableHooks:             up.DisableHooks,
		DisableOpenAPIValidation: up.DisableOpenAPIValidation,
		DisableSchemaValidation:  up.DisableSchemaValidation,
		Force:                    up.Force,
		PreserveValues:           up.PreserveValues,
		CleanupOnFail:            up.CleanupOnFail,
		CRDs:                     crds,
		ServerSideApply:          serverSideApply(up.ServerSideApply),
		TakeOwnership:            !up.DisableTakeOwnership,
		MaxHistory:               obj.GetMaxHistory(),
		Render:                   render(obj),
	}
}

func rollbackOptions(obj *helmv2.HelmRelease) release.RollbackOptions {
	rb := obj.GetRollback()
	return release.RollbackOptions{
		Timeout:         rb.GetTimeout(obj.GetTimeout()).Duration,
		Wait:            wait(obj, rb.DisableWait, rb.DisableWaitForJobs),
		DisableHooks:    rb.DisableHooks,
		Force:           rb.Force,
		CleanupOnFail:   rb.CleanupOnFail,
		ServerSideApply: serverSideApply(rb.ServerSideApply),
		MaxHistory:      obj.GetMaxHistory(),
	}
}

func uninstallOptions(obj *helmv2.HelmRelease) release.UninstallOptions {
	un := obj.GetUninstall()
	return release.UninstallOptions{
		Timeout:             un.GetTimeout(obj.GetTimeout()).Duration,
		DisableHooks:        un.DisableHooks,
		KeepHistory:         un.KeepHistory,
		DisableWait:         un.DisableWait,
		DeletionPropagation: un.GetDeletionPropagation(),
	}
}

func testOptions(obj *helmv2.HelmRelease) release.TestOptions {
	t := obj.GetTest()
	o := release.TestOptions{Timeout: t.GetTimeout(obj.GetTimeout()).Duration}
	for _, f := range t.GetFilters() {
		if f.Exclude {
			o.Exclude = append(o.Exclude, f.Name)
		} else {
			o.Include = append(o.Include, f.Name)
		}
	}
	return o
}

// serverSideApply turns Flux's mode into Helm's "true", "false" or "auto".
func serverSideApply(mode helmv2.ServerSideApplyMode) string {
	switch mode {
	case helmv2.ServerSideApplyEnabled:
		return "true"
	case helmv2.ServerSideApplyDisabled:
		return "false"
	default:
		return "auto"
	}
}
