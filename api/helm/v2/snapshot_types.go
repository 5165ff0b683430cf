package v2

import (
	"fmt"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	// SnapshotAPIVersion2 marks snapshots whose digests were computed from
	// Helm 4 (chart API v2) release objects, as Flux's v1.5.0 and later do.
	SnapshotAPIVersion2 = "v2"
	// CurrentSnapshotAPIVersion is the version new snapshots carry; a digest
	// computed another way is recognised by an older value.
	CurrentSnapshotAPIVersion = SnapshotAPIVersion2
)

// Helm release statuses and test phases the snapshot helpers look for.
const (
	snapshotStatusDeployed     = "deployed"
	snapshotStatusSuperseded   = "superseded"
	snapshotTestPhaseFailed    = "Failed"
	snapshotTestPhaseSucceeded = "Succeeded"
)

// Snapshots is the release history kept in status.history, newest first
// once sorted.
type Snapshots []*Snapshot

// Len returns the number of snapshots.
func (in Snapshots) Len() int {
	return len(in)
}

// SortByVersion sorts the snapshots by release version, newest first.
func (in Snapshots) SortByVersion() {
	sort.Slice(in, func(i, j int) bool { return in[i].Version > in[j].Version })
}

// Latest returns the newest snapshot, nil when there is none.
func (in Snapshots) Latest() *Snapshot {
	if len(in) == 0 {
		return nil
	}
	in.SortByVersion()
	return in[0]
}

// previousIndex returns the index of the newest snapshot after the latest
// that was deployed or superseded (and, unless ignoreTests, whose tests did
// not fail), or -1.
func (in Snapshots) previousIndex(ignoreTests bool) int {
	in.SortByVersion()
	for i := 1; i < len(in); i++ {
		s := in[i]
		if s.Status != snapshotStatusDeployed && s.Status != snapshotStatusSuperseded {
			continue
		}
		if ignoreTests || !s.HasTestInPhase(snapshotTestPhaseFailed) {
			return i
		}
	}
	return -1
}

// Previous returns the release a rollback would go back to: the newest
// snapshot before the latest that was deployed or superseded and, unless
// ignoreTests, whose tests did not fail. Nil when there is none.
func (in Snapshots) Previous(ignoreTests bool) *Snapshot {
	if len(in) < 2 {
		return nil
	}
	if i := in.previousIndex(ignoreTests); i >= 0 {
		return in[i]
	}
	return nil
}

// Truncate keeps the snapshots down to Previous and drops older ones; with
// no Previous, it keeps the newest five.
func (in *Snapshots) Truncate(ignoreTests bool) {
	if in.Len() < 2 {
		return
	}
	if i := in.previousIndex(ignoreTests); i >= 0 {
		*in = (*in)[:i+1]
		return
	}
	if in.Len() > defaultMaxHistory {
		*in = (*in)[:defaultMaxHistory]
	}
}

// TruncateIgnoringPreviousSnapshots keeps the newest five snapshots.
func (in *Snapshots) TruncateIgnoringPreviousSnapshots() {
	in.SortByVersion()
	if in.Len() > defaultMaxHistory {
		*in = (*in)[:defaultMaxHistory]
	}
}

// Snapshot records one Helm release as the controller saw it.
type Snapshot struct {
	// APIVersion tells how Digest was computed; see
	// CurrentSnapshotAPIVersion.
	// +optional
	APIVersion string `json:"apiVersion,omitempty"`
	// Digest of the release object in Helm's storage, '<algo>:<hex>'.
	// +required
	Digest string `json:"digest"`
	// Name of the release.
	// +required
	Name string `json:"name"`
	// Namespace the release is deployed to.
	// +required
	Namespace string `json:"namespace"`
	// Version of the release in Helm's storage.
	// +required
	Version int `json:"version"`
	// Status of the release (deployed, superseded, failed, ...).
	// +required
	Status string `json:"status"`
	// Action that made this release.
	// +optional
	Action ReleaseAction `json:"action,omitempty"`
	// ChartName of the release's chart.
	// +required
	ChartName string `json:"chartName"`
	// ChartVersion of the release's chart.
	// +required
	ChartVersion string `json:"chartVersion"`
	// AppVersion of the release's chart.
	// +optional
	AppVersion string `json:"appVersion,omitempty"`
	// ConfigDigest of the release's values, '<algo>:<hex>'.
	// +required
	ConfigDigest string `json:"configDigest"`
	// FirstDeployed is when the release was first deployed.
	// +required
	FirstDeployed metav1.Time `json:"firstDeployed"`
	// LastDeployed is when the release was last deployed.
	// +required
	LastDeployed metav1.Time `json:"lastDeployed"`
	// Deleted is when the release was uninstalled.
	// +optional
	Deleted metav1.Time `json:"deleted,omitempty"`
	// TestHooks the controller saw run for this release, by name.
	// +optional
	TestHooks *map[string]*TestHookStatus `json:"testHooks,omitempty"`
	// OCIDigest of the OCI artifact the chart came from.
	// +optional
	OCIDigest string `json:"ociDigest,omitempty"`
}

// FullReleaseName returns '<namespace>/<name>.v<version>'.
func (in *Snapshot) FullReleaseName() string {
	if in == nil {
		return ""
	}
	return fmt.Sprintf("%s/%s.v%d", in.Namespace, in.Name, in.Version)
}

// VersionedChartName returns '<chart>@<version>'.
func (in *Snapshot) VersionedChartName() string {
	if in == nil {
		return ""
	}
	return fmt.Sprintf("%s@%s", in.ChartName, in.ChartVersion)
}

// HasBeenTested reports whether the tests have run to an end: an empty map
// (no test selected), a failed test, or every test succeeded.
func (in *Snapshot) HasBeenTested() bool {
	if in == nil || in.TestHooks == nil {
		return false
	}
	if in.HasTestInPhase(snapshotTestPhaseFailed) {
		return true
	}
	for _, h := range *in.TestHooks {
		if h == nil || h.Phase != snapshotTestPhaseSucceeded {
			return false
		}
	}
	return true
}

// GetTestHooks returns the test hooks, nil when unset.
func (in *Snapshot) GetTestHooks() map[string]*TestHookStatus {
	if in == nil || in.TestHooks == nil {
		return nil
	}
	return *in.TestHooks
}

// HasTestInPhase reports whether any test hook is in phase.
func (in *Snapshot) HasTestInPhase(phase string) bool {
	for _, h := range in.GetTestHooks() {
		if h != nil && h.Phase == phase {
			return true
		}
	}
	return false
}

// SetTestHooks records the test hooks; nil leaves them unchanged.
func (in *Snapshot) SetTestHooks(hooks map[string]*TestHookStatus) {
	if in == nil || hooks == nil {
		return
	}
	in.TestHooks = &hooks
}

// Targets reports whether the snapshot is of release name.version in
// namespace.
func (in *Snapshot) Targets(name, namespace string, version int) bool {
	return in != nil && in.Name == name && in.Namespace == namespace && in.Version == version
}

// GetAction returns the action that made the release.
func (in *Snapshot) GetAction() ReleaseAction {
	if in == nil {
		return ""
	}
	return in.Action
}

// TestHookStatus is one test hook's last run.
type TestHookStatus struct {
	// LastStarted is when the hook last started.
	// +optional
	LastStarted metav1.Time `json:"lastStarted,omitempty"`
	// LastCompleted is when the hook last completed.
	// +optional
	LastCompleted metav1.Time `json:"lastCompleted,omitempty"`
	// Phase the hook was seen in.
	// +optional
	Phase string `json:"phase,omitempty"`
}
