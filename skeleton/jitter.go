package skeleton

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// intervalJitter is --interval-jitter-percentage: finish spreads the
// requeue after a success by up to this percentage either way, as Flux
// does, so that objects created together do not reconcile together
// forever. Zero, the default of a process that never sets it (tests),
// requeues at the interval exactly. Atomic because reconcilers read it
// concurrently; math/rand/v2's functions are safe for that too.
var intervalJitter atomic.Uint32

// SetIntervalJitter sets the percentage finish spreads requeues by and
// returns the one it replaces. 100 or more would requeue at once or in the
// past, so it is refused, as Flux refuses it.
func SetIntervalJitter(percent uint8) (previous uint8, err error) {
	if percent >= 100 {
		return IntervalJitter(), fmt.Errorf("the interval jitter percentage must be less than 100, not %d", percent)
	}
	return uint8(intervalJitter.Swap(uint32(percent))), nil
}

// IntervalJitter is the percentage set by SetIntervalJitter.
func IntervalJitter() uint8 { return uint8(intervalJitter.Load()) }

// jittered spreads d by a random share of up to ±IntervalJitter percent.
func jittered(d time.Duration) time.Duration {
	p := float64(IntervalJitter()) / 100
	if p == 0 || d <= 0 {
		return d
	}
	return time.Duration(float64(d) * (1 + p*(2*rand.Float64()-1)))
}
