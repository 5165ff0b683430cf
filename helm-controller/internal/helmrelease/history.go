package helmrelease

import (
	"errors"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/helm-controller/internal/release"
)

// snapshotOf turns an observed release into a status.history entry.
func snapshotOf(o release.Observation, action helmv2.ReleaseAction, ociDigest string) *helmv2.Snapshot {
	return &helmv2.Snapshot{
		APIVersion:    helmv2.CurrentSnapshotAPIVersion,
		Digest:        o.Digest,
		Name:          o.Name,
		Namespace:     o.Namespace,
		Version:       o.Version,
		Status:        o.Status,
		Action:        action,
		ChartName:     o.ChartName,
		ChartVersion:  o.ChartVersion,
		AppVersion:    o.AppVersion,
		ConfigDigest:  o.ConfigDigest,
		FirstDeployed: metav1.NewTime(o.FirstDeployed),
		LastDeployed:  metav1.NewTime(o.LastDeployed),
		Deleted:       metav1.NewTime(o.Deleted),
		OCIDigest:     ociDigest,
	}
}

// testHooksOf returns the test hooks of o that ran, for a snapshot; an
// empty map when none did (the release counts as tested).
func testHooksOf(o release.Observation) map[string]*helmv2.TestHookStatus {
	hooks := map[string]*helmv2.TestHookStatus{}
	for name, run := range o.TestHooks {
		if run.Phase == "" || run.Started.IsZero() {
			continue
		}
		hooks[name] = &helmv2.TestHookStatus{
			LastStarted:   metav1.NewTime(run.Started),
			LastCompleted: metav1.NewTime(run.Completed),
			Phase:         run.Phase,
		}
	}
	return hooks
}

// observe records version of the release in status.history, as Helm's
// storage holds it now: a new entry for a new version, an update (status,
// test runs) for a known one. A version no longer stored is left as it is.
func (s *scope) observe(version int, action helmv2.ReleaseAction) error {
	rel, err := release.Get(s.cfg, s.target.Name, version)
	if errors.Is(err, release.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	o := release.Observe(rel)
	history := &s.obj.Status.History
	for i, snap := range *history {
		if snap.Targets(o.Name, o.Namespace, o.Version) {
			if snap.Status == "uninstalled" && o.Status != "uninstalled" {
				// Installed again after an uninstall: a new release
				// under the same version.
				(*history)[i] = snapshotOf(o, action, s.ociDigest)
				return nil
			}
			updated := snapshotOf(o, snap.GetAction(), snap.OCIDigest)
			updated.TestHooks = snap.TestHooks
			(*history)[i] = updated
			return nil
		}
	}
	*history = append(*history, snapshotOf(o, action, s.ociDigest))
	history.SortByVersion()
	return nil
}

// storedDigest identifies the latest stored version of the release: ""
// when there is none.
func (s *scope) storedDigest() (string, error) {
	rel, err := release.Last(s.cfg, s.target.Name)
	switch {
	case errors.Is(err, release.ErrNotFound):
		return "", nil
	case err != nil:
		return "", err
	}
	return release.Observe(rel).Digest, nil
}

// observeLatest records the latest stored version of the release in
// history, and returns whether it differs from before (the storedDigest
// read before an action): whether the action changed Helm's storage.
func (s *scope) observeLatest(action helmv2.ReleaseAction, before string) (bool, error) {
	rel, err := release.Last(s.cfg, s.target.Name)
	if errors.Is(err, release.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return release.Observe(rel).Digest != before, s.observe(rel.Version, action)
}

// observeOlder records again the older snapshots Helm may have changed
// while it stored a new release: an upgrade or a rollback marks the
// releases that were deployed superseded, and status.history says so, as
// Flux's does.
func (s *scope) observeOlder() error {
	history := s.obj.Status.History
	latest := history.Latest()
	for _, snap := range history {
		if snap == latest || snap.Status != "deployed" {
			continue
		}
		if err := s.observe(snap.Version, snap.GetAction()); err != nil {
			return err
		}
	}
	return nil
}
