package eventserver

import (
	"sync"
	"time"
)

// dedup remembers the keys seen within the interval: an event whose key was
// seen less than interval ago is a duplicate (Flux's rate limiter: one
// token per key per interval).
type dedup struct {
	interval time.Duration
	now      func() time.Time

	mu        sync.Mutex
	until     map[string]time.Time
	nextSweep time.Time
}

func newDedup(interval time.Duration, now func() time.Time) *dedup {
	return &dedup{interval: interval, now: now, until: map[string]time.Time{}}
}

// first reports whether key is new within the interval, and starts one.
func (d *dedup) first(key string) bool {
	if d.interval <= 0 {
		return true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	d.sweep(now)
	if until, ok := d.until[key]; ok && now.Before(until) {
		return false
	}
	d.until[key] = now.Add(d.interval)
	return true
}

// sweep forgets expired keys, at most once per interval, so that memory
// follows the events of one interval.
func (d *dedup) sweep(now time.Time) {
	if now.Before(d.nextSweep) {
		return
	}
	for k, until := range d.until {
		if !now.Before(until) {
			delete(d.until, k)
		}
	}
	d.nextSweep = now.Add(d.interval)
}
