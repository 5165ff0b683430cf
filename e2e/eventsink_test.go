package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
)

// eventSink stands in for the notification-controller's event server: a
// controller given --events-addr=<url> posts its events there in Flux's
// JSON, and events lists what arrived (as "Kind Reason" keyed copies).
type eventSink struct {
	url string
	mu  sync.Mutex
	got []eventv1.Event
}

func startEventSink(t testing.TB) *eventSink {
	s := &eventSink{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var e eventv1.Event
		if err := json.Unmarshal(body, &e); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.got = append(s.got, e)
		s.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// of returns the events received for objects of kind.
func (s *eventSink) of(kind string) func() []eventv1.Event {
	return func() []eventv1.Event {
		s.mu.Lock()
		defer s.mu.Unlock()
		var out []eventv1.Event
		for _, e := range s.got {
			if e.InvolvedObject.Kind == kind {
				out = append(out, e)
			}
		}
		return out
	}
}
