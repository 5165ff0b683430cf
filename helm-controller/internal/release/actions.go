package release

import (
	"context"
	"errors"
	"fmt"

	"helm.sh/helm/v4/pkg/action"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	releasev1 "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage/driver"
)

// Install installs chart with values as a new release. The release Helm
// stored is returned even on failure (nil when nothing was stored), so
// that the caller can record what happened.
func Install(ctx context.Context, cfg *action.Configuration, t Target, ch *chart.Chart, values map[string]any, o InstallOptions) (*releasev1.Release, error) {
	a := action.NewInstall(cfg)
	a.ReleaseName = t.Name
	a.Namespace = t.Namespace
	a.Timeout = o.Timeout
	a.WaitStrategy = o.Wait.strategy()
	a.WaitForJobs = !o.Wait.Disable && !o.Wait.DisableForJobs
	a.DisableHooks = o.DisableHooks
	a.DisableOpenAPIValidation = o.DisableOpenAPIValidation
	a.SkipSchemaValidation = o.DisableSchemaValidation
	a.Replace = o.Replace
	a.CreateNamespace = o.CreateNamespace
	a.ServerSideApply = o.ServerSideApply
	// The controller is the only manager of what it releases, as Flux's
	// own server-side apply is.
	a.ForceConflicts = o.ServerSideApply
	a.TakeOwnership = o.TakeOwnership
	a.Description = "Install complete"
	a.PostRenderer, a.PostRenderStrategy = o.Render.PostRenderer, o.Render.Strategy
	waitAs(ctx, cfg, o.Wait.Exprs)
	switch o.CRDs {
	case CRDsSkip:
		a.SkipCRDs = true
	case CRDsCreateReplace:
		a.SkipCRDs = true
		if err := applyCRDs(cfg, ch, true); err != nil {
			return nil, err
		}
	}
	rel, err := a.RunWithContext(ctx, ch, values)
	return stored(rel), err
}

// Upgrade upgrades the release to chart with values.
func Upgrade(ctx context.Context, cfg *action.Configuration, t Target, ch *chart.Chart, values map[string]any, o UpgradeOptions) (*releasev1.Release, error) {
	a := action.NewUpgrade(cfg)
	a.Namespace = t.Namespace
	a.Timeout = o.Timeout
	a.WaitStrategy = o.Wait.strategy()
	a.WaitForJobs = !o.Wait.Disable && !o.Wait.DisableForJobs
	a.DisableHooks = o.DisableHooks
	a.DisableOpenAPIValidation = o.DisableOpenAPIValidation
	a.SkipSchemaValidation = o.DisableSchemaValidation
	a.ForceReplace = o.Force
	a.ForceConflicts = true
	a.ReuseValues = o.PreserveValues
	a.ResetValues = !o.PreserveValues
	a.CleanupOnFail = o.CleanupOnFail
	a.ServerSideApply = o.ServerSideApply
	if a.ServerSideApply == "" {
		a.ServerSideApply = "auto"
	}
	a.TakeOwnership = o.TakeOwnership
	a.MaxHistory = o.MaxHistory
	a.Description = "Upgrade complete"
	a.PostRenderer, a.PostRenderStrategy = o.Render.PostRenderer, o.Render.Strategy
	waitAs(ctx, cfg, o.Wait.Exprs)
	switch o.CRDs {
	case CRDsCreate, CRDsCreateReplace:
		if err := applyCRDs(cfg, ch, o.CRDs == CRDsCreateReplace); err != nil {
			return nil, err
		}
	}
	rel, err := a.RunWithContext(ctx, t.Name, ch, values)
	return stored(rel), err
}

// Test runs the release's test hooks and returns the release with their
// outcome.
func Test(ctx context.Context, cfg *action.Configuration, t Target, o TestOptions) (*releasev1.Release, error) {
	a := action.NewReleaseTesting(cfg)
	waitAs(ctx, cfg, nil)
	a.Namespace = t.Namespace
	a.Timeout = o.Timeout
	if len(o.Include) > 0 {
		a.Filters[action.IncludeNameFilter] = o.Include
	}
	if len(o.Exclude) > 0 {
		a.Filters[action.ExcludeNameFilter] = o.Exclude
	}
	rel, shutdown, err := a.Run(t.Name)
	if shutdown != nil {
		if serr := shutdown(); serr != nil && err == nil {
			err = fmt.Errorf("clean up test hooks: %w", serr)
		}
	}
	return stored(rel), err
}

// Rollback rolls the release back to version.
func Rollback(ctx context.Context, cfg *action.Configuration, t Target, version int, o RollbackOptions) error {
	a := action.NewRollback(cfg)
	a.Version = version
	a.Timeout = o.Timeout
	a.WaitStrategy = o.Wait.strategy()
	a.WaitForJobs = !o.Wait.Disable && !o.Wait.DisableForJobs
	a.DisableHooks = o.DisableHooks
	a.ForceReplace = o.Force
	a.ForceConflicts = true
	a.CleanupOnFail = o.CleanupOnFail
	a.ServerSideApply = o.ServerSideApply
	if a.ServerSideApply == "" {
		a.ServerSideApply = "auto"
	}
	a.MaxHistory = o.MaxHistory
	a.Description = fmt.Sprintf("Rollback to %d", version)
	waitAs(ctx, cfg, o.Wait.Exprs)
	return a.Run(t.Name)
}

// Uninstall uninstalls the release; a release Helm does not know is not an
// error.
func Uninstall(ctx context.Context, cfg *action.Configuration, t Target, o UninstallOptions) error {
	a := action.NewUninstall(cfg)
	a.Timeout = o.Timeout
	a.DisableHooks = o.DisableHooks
	a.KeepHistory = o.KeepHistory
	a.WaitStrategy = Wait{Disable: o.DisableWait}.strategy()
	a.DeletionPropagation = o.DeletionPropagation
	waitAs(ctx, cfg, nil)
	a.IgnoreNotFound = true
	_, err := a.Run(t.Name)
	if errors.Is(err, driver.ErrReleaseNotFound) {
		return nil
	}
	return err
}

// stored returns the release an action answered with, when there is one.
func stored(r any) *releasev1.Release {
	switch rel := r.(type) {
	case *releasev1.Release:
		return rel
	default:
		return nil
	}
}
