package skeleton

import (
	"slices"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// staleRetry is how soon a run that read a stale copy of its object tries
// again: the cache normally catches up within milliseconds.
const staleRetry = 250 * time.Millisecond

// writtenVersions remembers, for each object this skeleton last wrote, the
// resourceVersion it had been read at and those the run's own earlier
// writes left (a progress write, the metadata patch before the status
// one). A run that reads the object at one of those versions reads a copy
// from before the last run's final write: the cache has not seen it yet. Its status patch would be computed against that
// stale copy, and an outcome equal to the stale status (though not to the
// stored one, which the last run changed) would write nothing and leave
// the last run's status in place, e.g. a Progressing that is over. Such a
// run waits for the cache instead.
type writtenVersions struct{ m sync.Map }

// wrote records that the object uid was written by a run that read it at
// versions[0] and stored versions[1:] before its final write.
func (v *writtenVersions) wrote(uid types.UID, versions []string) { v.m.Store(uid, versions) }

// forget drops the record of uid: its object is gone, or going.
func (v *writtenVersions) forget(uid types.UID) { v.m.Delete(uid) }

// stale tells whether the object uid read at version predates the last
// write; once it does not, the record is dropped.
func (v *writtenVersions) stale(uid types.UID, version string) bool {
	before, ok := v.m.Load(uid)
	if !ok {
		return false
	}
	if slices.Contains(before.([]string), version) {
		return true
	}
	v.m.Delete(uid)
	return false
}
