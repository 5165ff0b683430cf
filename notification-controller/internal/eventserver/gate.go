package eventserver

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"

	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
)

// Tide's own Alert annotations (Flux has no field for either; its users
// asked for both). They change only which error events an Alert sends.
const (
	// OnChangeOnlyAnnotation "true": an error is sent once, then again only
	// when its message changes, or after the object recovered (the info
	// event of the recovery is sent), instead of at every rate-limit
	// interval while it lasts.
	OnChangeOnlyAnnotation = "notification.tidegitops.io/on-change-only"
	// ThresholdAnnotation "N": errors of an object are sent only from the
	// Nth within ThresholdWindowAnnotation (default 1h); an info event
	// starts the count again.
	ThresholdAnnotation       = "notification.tidegitops.io/threshold"
	ThresholdWindowAnnotation = "notification.tidegitops.io/threshold-window"
)

// gate keeps, per Alert and object, what the annotations need: the last
// error sent and the times of recent errors.
type gate struct {
	mu     sync.Mutex
	now    func() time.Time
	states map[string]*gateState
}

type gateState struct {
	lastSent string
	errors   []time.Time
}

func newGate(now func() time.Time) *gate {
	return &gate{now: now, states: map[string]*gateState{}}
}

// pass reports whether a sends e; an annotation with a bad value is
// returned as an error (and ignored).
func (g *gate) pass(a *notificationv1beta3.Alert, e *eventv1.Event) (bool, error) {
	onChange := a.Annotations[OnChangeOnlyAnnotation] == "true"
	threshold, window, err := thresholdOf(a)
	if !onChange && threshold <= 1 {
		return true, err
	}
	key := string(a.UID) + "/" + e.InvolvedObject.Kind + "/" + e.InvolvedObject.Namespace + "/" + e.InvolvedObject.Name
	g.mu.Lock()
	defer g.mu.Unlock()
	st := g.states[key]
	if e.Severity != eventv1.EventSeverityError {
		// A recovery (or any info event) ends the episode.
		delete(g.states, key)
		return true, err
	}
	if st == nil {
		st = &gateState{}
		g.states[key] = st
	}
	now := g.now()
	if threshold > 1 {
		kept := st.errors[:0]
		for _, t := range st.errors {
			if now.Sub(t) < window {
				kept = append(kept, t)
			}
		}
		st.errors = append(kept, now)
		if len(st.errors) < threshold {
			return false, err
		}
	}
	if onChange {
		if st.lastSent == e.Message {
			return false, err
		}
		st.lastSent = e.Message
	}
	return true, err
}

func thresholdOf(a *notificationv1beta3.Alert) (int, time.Duration, error) {
	window := time.Hour
	raw, ok := a.Annotations[ThresholdAnnotation]
	if !ok {
		return 0, window, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, window, fmt.Errorf("invalid %s %q: want a positive number of errors", ThresholdAnnotation, raw)
	}
	if w, ok := a.Annotations[ThresholdWindowAnnotation]; ok {
		d, err := time.ParseDuration(w)
		if err != nil || d <= 0 {
			return 0, window, fmt.Errorf("invalid %s %q: want a duration such as 10m", ThresholdWindowAnnotation, w)
		}
		window = d
	}
	return n, window, nil
}
