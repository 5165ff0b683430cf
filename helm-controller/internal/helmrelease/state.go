package helmrelease

import (
	"errors"
	"fmt"

	rcommon "helm.sh/helm/v4/pkg/release/common"

	"github.com/tidegitops/tide/helm-controller/internal/release"
)

// releaseState is where the release stands against the desired state,
// Flux's states: it decides the next action.
type releaseState int

const (
	// stateInSync: deployed with the desired chart and values (and tested
	// when tests are enabled).
	stateInSync releaseState = iota
	// stateAbsent: not installed (never, or uninstalled).
	stateAbsent
	// stateLocked: left pending by an interrupted action.
	stateLocked
	// stateUnmanaged: storage holds a release this controller did not
	// record (made by hand, or status lost): upgraded to take it over.
	stateUnmanaged
	// stateOutOfSync: deployed, with another chart version or values.
	stateOutOfSync
	// stateUntested: in sync, tests enabled and not run yet.
	stateUntested
	// stateFailed: the last action (or its tests) failed.
	stateFailed
)

// determineState reads the release from Helm's storage and compares it
// with status.history and the desired chart and values; why says what
// was seen, for logs.
func (s *scope) determineState() (state releaseState, why string, err error) {
	rel, err := release.Last(s.cfg, s.target.Name)
	switch {
	case errors.Is(err, release.ErrNotFound):
		return stateAbsent, "no release in storage", nil
	case err != nil:
		return 0, "", fmt.Errorf("read release %s from storage: %w", s.target, err)
	}
	status := rel.Info.Status
	switch {
	case status.IsPending():
		return stateLocked, fmt.Sprintf("release %s.v%d is %s", rel.Name, rel.Version, status), nil
	case status == rcommon.StatusUninstalled || status == rcommon.StatusUninstalling:
		return stateAbsent, "release uninstalled", nil
	}
	// The snapshot's digest is not compared: Flux digests its own
	// encoding of a release, and a HelmRelease taken over from Flux would
	// be upgraded for nothing. A release Helm changed has a new version.
	cur := s.obj.Status.History.Latest()
	if cur == nil || !cur.Targets(rel.Name, rel.Namespace, rel.Version) {
		return stateUnmanaged, fmt.Sprintf("release %s.v%d in storage is not the one last recorded", rel.Name, rel.Version), nil
	}
	switch {
	case status == rcommon.StatusFailed:
		return stateFailed, fmt.Sprintf("release %s.v%d is failed", rel.Name, rel.Version), nil
	case status != rcommon.StatusDeployed:
		return stateOutOfSync, fmt.Sprintf("release %s.v%d is %s", rel.Name, rel.Version, status), nil
	case cur.ChartVersion != s.chartVersion():
		return stateOutOfSync, fmt.Sprintf("chart version %s, desired %s", cur.ChartVersion, s.chartVersion()), nil
	case cur.ConfigDigest != s.configDigest:
		return stateOutOfSync, "values changed", nil
	case s.renderChanged() != "":
		return stateOutOfSync, s.renderChanged(), nil
	}
	test := s.obj.GetTest()
	if test.Enable {
		if !cur.HasBeenTested() {
			return stateUntested, "tests not run yet", nil
		}
		ignore := test.IgnoreFailures
		if rem := s.obj.GetActiveRemediation(); rem != nil {
			ignore = rem.MustIgnoreTestFailures(test.IgnoreFailures)
		}
		if !ignore && cur.HasTestInPhase("Failed") {
			return stateFailed, "tests failed", nil
		}
	}
	return stateInSync, "in sync", nil
}
