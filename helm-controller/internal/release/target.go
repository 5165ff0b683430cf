package release

import (
	"errors"
	"fmt"

	"helm.sh/helm/v4/pkg/action"
	ri "helm.sh/helm/v4/pkg/release"
	rcommon "helm.sh/helm/v4/pkg/release/common"
	releasev1 "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage/driver"
)

// Target names one Helm release and where it lives.
type Target struct {
	// Name is the release name (see naming.ReleaseName).
	Name string
	// Namespace is where the release's objects go.
	Namespace string
	// StorageNamespace is where Helm's records of it are kept.
	StorageNamespace string
}

func (t Target) String() string { return t.Namespace + "/" + t.Name }

// ErrNotFound: Helm's storage holds no record of the release.
var ErrNotFound = driver.ErrReleaseNotFound

// Last returns the release's latest record (of any status), or ErrNotFound.
func Last(cfg *action.Configuration, name string) (*releasev1.Release, error) {
	r, err := cfg.Releases.Last(name)
	if err != nil {
		return nil, err
	}
	return toV1(r)
}

// Get returns one version of the release, or ErrNotFound.
func Get(cfg *action.Configuration, name string, version int) (*releasev1.Release, error) {
	r, err := cfg.Releases.Get(name, version)
	if err != nil {
		return nil, err
	}
	return toV1(r)
}

// Unlock marks a release left pending (pending-install, pending-upgrade,
// pending-rollback) as failed, so that the next action may run. A release
// stays pending only when the process running its action died: this
// controller runs one action per release at a time. Without this, every
// later action would fail with Helm's "another operation is in progress".
func Unlock(cfg *action.Configuration, rel *releasev1.Release) error {
	if rel == nil || !rel.Info.Status.IsPending() {
		return nil
	}
	was := rel.Info.Status
	rel.SetStatus(rcommon.StatusFailed,
		fmt.Sprintf("Release unlocked from stale '%s' state: the action was interrupted", was))
	if err := cfg.Releases.Update(rel); err != nil {
		return fmt.Errorf("mark release %s.v%d failed after an interrupted %s: %w", rel.Name, rel.Version, was, err)
	}
	return nil
}

func toV1(r ri.Releaser) (*releasev1.Release, error) {
	switch rel := r.(type) {
	case *releasev1.Release:
		return rel, nil
	case releasev1.Release:
		return &rel, nil
	case nil:
		return nil, errors.New("Helm returned no release")
	default:
		return nil, fmt.Errorf("unsupported Helm release type %T", r)
	}
}
