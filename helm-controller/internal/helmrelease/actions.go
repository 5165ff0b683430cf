package helmrelease

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fluxcd/pkg/runtime/conditions"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/helm-controller/internal/release"
	"github.com/tidegitops/tide/skeleton"
)

// pendingReleaseReason: a release was found pending and unlocked.
const pendingReleaseReason = "PendingRelease"

// actionKind groups actions as Flux does: one of each kind at most per
// reconciliation, and none after a remediation.
type actionKind int

const (
	kindRelease actionKind = iota
	kindTest
	kindRemediate
	kindUnlock
)

// helmAction is one Helm action the release step may run.
type helmAction struct {
	name    string
	kind    actionKind
	timeout time.Duration
	run     func(ctx context.Context, s *scope) error
}

func (r *Reconciler) install(obj *helmv2.HelmRelease) helmAction {
	o := installOptions(obj)
	return helmAction{name: "install", kind: kindRelease, timeout: o.Timeout, run: func(ctx context.Context, s *scope) error {
		return r.releaseChart(ctx, s, helmv2.ReleaseActionInstall, func() error {
			_, err := release.Install(ctx, s.cfg, s.target, s.chart, s.values, o)
			return err
		})
	}}
}

func (r *Reconciler) upgrade(obj *helmv2.HelmRelease) helmAction {
	return r.upgradeAs(obj, helmv2.ReleaseActionUpgrade)
}

// upgradeAs is an upgrade recorded as action: an install retried by the
// RetryOnFailure strategy over its failed release stays an install (its
// counters, reasons and retry settings).
func (r *Reconciler) upgradeAs(obj *helmv2.HelmRelease, action helmv2.ReleaseAction) helmAction {
	o := upgradeOptions(obj)
	return helmAction{name: "upgrade", kind: kindRelease, timeout: o.Timeout, run: func(ctx context.Context, s *scope) error {
		return r.releaseChart(ctx, s, action, func() error {
			_, err := release.Upgrade(ctx, s.cfg, s.target, s.chart, s.values, o)
			return err
		})
	}}
}

// releaseChart runs an install or an upgrade and records it: the new
// release in history, Released with Flux's reasons and messages, an event,
// and on failure the failure counters (the remediation's only when Helm
// stored a release, as nothing else would need remediating).
func (r *Reconciler) releaseChart(ctx context.Context, s *scope, action helmv2.ReleaseAction, run func() error) error {
	obj := s.obj
	obj.Status.LastAttemptedReleaseAction = action
	before, err := s.storedDigest()
	if err != nil {
		return skeleton.Retry("StateError", err)
	}
	start := time.Now()
	err = run()
	obj.Status.LastAttemptedReleaseActionDuration = &metav1.Duration{Duration: time.Since(start).Round(time.Millisecond)}
	stored, oerr := s.observeLatest(action, before)
	if oerr == nil && stored {
		oerr = s.recorded(r)
	}
	if oerr != nil {
		return skeleton.Retry("StateError", oerr)
	}
	cur := obj.Status.History.Latest()
	verb, ok, failed := "install", helmv2.InstallSucceededReason, helmv2.InstallFailedReason
	if action == helmv2.ReleaseActionUpgrade {
		verb, ok, failed = "upgrade", helmv2.UpgradeSucceededReason, helmv2.UpgradeFailedReason
	}
	if err != nil {
		msg := fmt.Sprintf("Helm %s failed for release %s/%s with chart %s: %s", verb, s.target.Namespace, s.target.Name, s.versionedChart(), err)
		switch {
		case !stored && strings.Contains(err.Error(), "post render"):
			msg += " (nothing was released: fix spec.postRenderers or spec.commonMetadata)"
		case !stored:
			msg += " (nothing was released: fix the chart or its values)"
		}
		conditions.MarkFalse(obj, helmv2.ReleasedCondition, failed, "%s", msg)
		obj.Status.Failures++
		if stored {
			obj.GetActiveRemediation().IncrementFailureCount(obj)
		}
		r.event(obj, s.attempted(), true, failed, msg)
		return nil
	}
	msg := fmt.Sprintf("Helm %s succeeded for release %s with chart %s", verb, cur.FullReleaseName(), cur.VersionedChartName())
	conditions.MarkTrue(obj, helmv2.ReleasedCondition, ok, "%s", msg)
	conditions.Delete(obj, helmv2.RemediatedCondition)
	if obj.GetTest().Enable {
		conditions.MarkUnknown(obj, helmv2.TestSuccessCondition, "AwaitingTests",
			"Helm release %s with chart %s is awaiting tests", cur.FullReleaseName(), cur.VersionedChartName())
	}
	r.event(obj, cur, false, ok, msg)
	return nil
}

func (r *Reconciler) test(obj *helmv2.HelmRelease) helmAction {
	o := testOptions(obj)
	return helmAction{name: "test", kind: kindTest, timeout: o.Timeout, run: func(ctx context.Context, s *scope) error {
		cur := obj.Status.History.Latest()
		rel, err := release.Test(ctx, s.cfg, s.target, o)
		if rel != nil {
			hooks := testHooksOf(release.Observe(rel))
			cur.SetTestHooks(hooks)
		}
		if err != nil {
			msg := fmt.Sprintf("Helm test failed for release %s with chart %s: %s", cur.FullReleaseName(), cur.VersionedChartName(), err)
			conditions.MarkFalse(obj, helmv2.TestSuccessCondition, helmv2.TestFailedReason, "%s", msg)
			obj.Status.Failures++
			if rem := obj.GetActiveRemediation(); rem != nil && !rem.MustIgnoreTestFailures(obj.GetTest().IgnoreFailures) {
				rem.IncrementFailureCount(obj)
			}
			if cur.TestHooks == nil {
				cur.SetTestHooks(map[string]*helmv2.TestHookStatus{})
			}
			r.event(obj, cur, true, helmv2.TestFailedReason, msg)
			return nil
		}
		msg := fmt.Sprintf("Helm test succeeded for release %s with chart %s: %d test hooks completed successfully",
			cur.FullReleaseName(), cur.VersionedChartName(), len(cur.GetTestHooks()))
		conditions.MarkTrue(obj, helmv2.TestSuccessCondition, helmv2.TestSucceededReason, "%s", msg)
		r.event(obj, cur, false, helmv2.TestSucceededReason, msg)
		return nil
	}}
}

func (r *Reconciler) rollback(obj *helmv2.HelmRelease, to *helmv2.Snapshot) helmAction {
	o := rollbackOptions(obj)
	return helmAction{name: "rollback", kind: kindRemediate, timeout: o.Timeout, run: func(ctx context.Context, s *scope) error {
		failed := obj.Status.History.Latest()
		err := release.Rollback(ctx, s.cfg, s.target, to.Version, o)
		if oerr := s.observe(failed.Version, failed.GetAction()); oerr != nil {
			return skeleton.Retry("StateError", oerr)
		}
		if _, oerr := s.observeLatest(helmv2.ReleaseActionRollback, ""); oerr != nil {
			return skeleton.Retry("StateError", oerr)
		}
		if oerr := s.recorded(r); oerr != nil {
			return skeleton.Retry("StateError", oerr)
		}
		if err != nil {
			msg := fmt.Sprintf("Helm rollback to previous release %s with chart %s failed: %s", to.FullReleaseName(), to.VersionedChartName(), err)
			conditions.MarkFalse(obj, helmv2.RemediatedCondition, helmv2.RollbackFailedReason, "%s", msg)
			r.event(obj, to, true, helmv2.RollbackFailedReason, msg)
			return nil
		}
		msg := fmt.Sprintf("Helm rollback to previous release %s with chart %s succeeded", to.FullReleaseName(), to.VersionedChartName())
		conditions.MarkTrue(obj, helmv2.RemediatedCondition, helmv2.RollbackSucceededReason, "%s", msg)
		r.event(obj, to, false, helmv2.RollbackSucceededReason, msg)
		return nil
	}}
}

func (r *Reconciler) uninstallRemediation(obj *helmv2.HelmRelease) helmAction {
	o := uninstallOptions(obj)
	return helmAction{name: "uninstall", kind: kindRemediate, timeout: o.Timeout, run: func(ctx context.Context, s *scope) error {
		cur := obj.Status.History.Latest()
		err := release.Uninstall(ctx, s.cfg, s.target, o)
		if err != nil {
			msg := fmt.Sprintf("Helm uninstall remediation for release %s with chart %s failed: %s", cur.FullReleaseName(), cur.VersionedChartName(), err)
			conditions.MarkFalse(obj, helmv2.RemediatedCondition, helmv2.UninstallFailedReason, "%s", msg)
			r.event(obj, cur, true, helmv2.UninstallFailedReason, msg)
			return nil
		}
		cur.Status = "uninstalled"
		cur.Deleted = metav1.Now()
		cur.Action = helmv2.ReleaseActionUninstallRemediation
		msg := fmt.Sprintf("Helm uninstall remediation for release %s with chart %s succeeded", cur.FullReleaseName(), cur.VersionedChartName())
		conditions.MarkTrue(obj, helmv2.RemediatedCondition, helmv2.UninstallSucceededReason, "%s", msg)
		r.event(obj, cur, false, helmv2.UninstallSucceededReason, msg)
		return nil
	}}
}

// unlock frees a release left pending-* by an interrupted action (a
// crash, a killed pod): it is marked failed, so that the usual remediation
// and retries apply to it, instead of Helm's "another operation is in
// progress" forever.
func (r *Reconciler) unlock() helmAction {
	return helmAction{name: "unlock", kind: kindUnlock, run: func(ctx context.Context, s *scope) error {
		rel, err := release.Last(s.cfg, s.target.Name)
		if err != nil {
			return skeleton.Retry("StateError", err)
		}
		was := rel.Info.Status
		if err := release.Unlock(s.cfg, rel); err != nil {
			return skeleton.Retry(pendingReleaseReason, err)
		}
		if cur := s.obj.Status.History.Latest(); cur != nil && cur.Targets(rel.Name, rel.Namespace, rel.Version) {
			if err := s.observe(rel.Version, cur.GetAction()); err != nil {
				return skeleton.Retry("StateError", err)
			}
		}
		msg := fmt.Sprintf("Unlocked Helm release %s.v%d from stale '%s' state: the action that was running was interrupted", rel.Name, rel.Version, was)
		conditions.MarkFalse(s.obj, helmv2.ReleasedCondition, pendingReleaseReason, "%s", msg)
		r.event(s.obj, s.obj.Status.History.Latest(), true, pendingReleaseReason, msg)
		return nil
	}}
}

// recorded records what Helm changed besides the release it stored: the
// older releases it superseded, and the inventory of the new one.
func (s *scope) recorded(r *Reconciler) error {
	if err := s.observeOlder(); err != nil {
		return err
	}
	return r.recordInventory(s)
}
