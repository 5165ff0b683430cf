package eventserver

import "sync"

// inOrder runs the dispatches of one object's events one after another, in
// the order the events arrived. The Alert annotations that remember the last
// event (on-change-only, threshold) decide on each event in turn, so a quick
// "failed, failed again, recovered" is never judged out of order. Only the
// deciding is serialised: the sends to providers still run in parallel.
type inOrder struct {
	mu    sync.Mutex
	tails map[string]chan struct{}
}

// run starts f after every earlier f of the same key has returned; it does
// not block the caller.
func (o *inOrder) run(key string, f func()) {
	done := make(chan struct{})
	o.mu.Lock()
	if o.tails == nil {
		o.tails = map[string]chan struct{}{}
	}
	prev := o.tails[key]
	o.tails[key] = done
	o.mu.Unlock()
	go func() {
		if prev != nil {
			<-prev
		}
		f()
		close(done)
		o.mu.Lock()
		if o.tails[key] == done {
			delete(o.tails, key)
		}
		o.mu.Unlock()
	}()
}
