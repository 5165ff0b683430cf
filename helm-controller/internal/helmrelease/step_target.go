package helmrelease

import (
	"context"
	"fmt"

	ctrl "sigs.k8s.io/controller-runtime"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/helm-controller/internal/release"
	"github.com/tidegitops/tide/helm-controller/naming"
	"github.com/tidegitops/tide/skeleton"
)

// factoryErrorReason: Helm could not be set up for the release.
const factoryErrorReason = "FactoryError"

// checkTarget settles where the release lives. When the release name, its
// namespace, its storage namespace or (with chartNameChangeStrategy
// Reinstall) its chart name changed since the last release, the old
// release is uninstalled first, as Flux does: an install next to it would
// fail on objects that already exist. It then records the attempt
// (lastAttempted*), resetting the failure counters when the chart or the
// values changed, or a reset was asked for.
func (r *Reconciler) checkTarget(ctx context.Context, s *scope) error {
	obj := s.obj
	getter, err := r.getter(ctx, obj)
	if err != nil {
		return err
	}
	s.target = release.Target{
		Name:             naming.ReleaseName(obj.GetReleaseName()),
		Namespace:        obj.GetReleaseNamespace(),
		StorageNamespace: obj.GetStorageNamespace(),
	}
	if why := targetChanged(obj, s.target, s.chart.Name()); why != "" {
		ctrl.LoggerFrom(ctx).Info("release target changed: uninstalling the current release", "why", why)
		if err := r.uninstallCurrent(ctx, obj); err != nil {
			return err
		}
		obj.Status.ClearHistory()
		obj.Status.ClearFailures()
		obj.Status.StorageNamespace = ""
	}
	obj.Status.StorageNamespace = s.target.StorageNamespace

	if helmv2.ShouldHandleResetRequest(obj) ||
		obj.Status.LastAttemptedRevision != s.chartVersion() ||
		obj.Status.LastAttemptedConfigDigest != s.configDigest {
		obj.Status.ClearFailures()
	}
	obj.Status.LastAttemptedGeneration = obj.Generation
	obj.Status.LastAttemptedRevision = s.chartVersion()
	obj.Status.LastAttemptedRevisionDigest = s.ociDigest
	obj.Status.LastAttemptedConfigDigest = s.configDigest
	obj.Status.LastAttemptedValuesChecksum = ""
	obj.Status.LastReleaseRevision = 0

	cfg, err := release.NewConfig(getter, s.target.Namespace, s.target.StorageNamespace, ctrl.LoggerFrom(ctx))
	if err != nil {
		return skeleton.Retry(factoryErrorReason, err)
	}
	s.cfg = cfg
	return nil
}

// targetChanged says what changed about the release since the latest one
// in status.history; "" when nothing did.
func targetChanged(obj *helmv2.HelmRelease, t release.Target, chartName string) string {
	if obj.Status.StorageNamespace != "" && obj.Status.StorageNamespace != t.StorageNamespace {
		return fmt.Sprintf("storage namespace changed from '%s' to '%s'", obj.Status.StorageNamespace, t.StorageNamespace)
	}
	cur := obj.Status.History.Latest()
	switch {
	case cur == nil:
		return ""
	case cur.Name != t.Name:
		return fmt.Sprintf("release name changed from '%s' to '%s'", cur.Name, t.Name)
	case cur.Namespace != t.Namespace:
		return fmt.Sprintf("release namespace changed from '%s' to '%s'", cur.Namespace, t.Namespace)
	case cur.ChartName != chartName && obj.GetUpgrade().GetChartNameChangeStrategy() == helmv2.ChartNameChangeStrategyReinstall:
		return fmt.Sprintf("chart name changed from '%s' to '%s'", cur.ChartName, chartName)
	}
	return ""
}

// uninstallCurrent uninstalls the release status records (the latest of
// status.history in status.storageNamespace, else the one the spec names
// there); nothing when no release was ever made (no storage namespace).
func (r *Reconciler) uninstallCurrent(ctx context.Context, obj *helmv2.HelmRelease) error {
	if obj.Status.StorageNamespace == "" {
		return nil
	}
	t := release.Target{
		Name:             naming.ReleaseName(obj.GetReleaseName()),
		Namespace:        obj.GetReleaseNamespace(),
		StorageNamespace: obj.Status.StorageNamespace,
	}
	cur := obj.Status.History.Latest()
	if cur != nil {
		t.Name, t.Namespace = cur.Name, cur.Namespace
	}
	getter, err := r.getter(ctx, obj)
	if err != nil {
		return err
	}
	cfg, err := release.NewConfig(getter, t.Namespace, t.StorageNamespace, ctrl.LoggerFrom(ctx))
	if err != nil {
		return skeleton.Retry(factoryErrorReason, err)
	}
	if err := release.Uninstall(ctx, cfg, t, uninstallOptions(obj)); err != nil {
		msg := fmt.Sprintf("Helm uninstall failed for release %s: %s", t, err)
		r.event(obj, cur, true, helmv2.UninstallFailedReason, msg)
		return skeleton.Retry(helmv2.UninstallFailedReason, fmt.Errorf("%s", msg))
	}
	msg := fmt.Sprintf("Helm uninstall succeeded for release %s", t)
	if cur != nil {
		msg = fmt.Sprintf("Helm uninstall succeeded for release %s with chart %s", cur.FullReleaseName(), cur.VersionedChartName())
	}
	r.event(obj, cur, false, helmv2.UninstallSucceededReason, msg)
	return nil
}
