package eventserver

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"time"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
	"github.com/fluxcd/pkg/runtime/events"
	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/notification-controller/internal/event"
)

// Limits of a request, as Flux's event server sets them.
const (
	maxBodyBytes      = 3 << 20
	maxHeaderBytes    = 256 << 10
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
)

// Server receives events and dispatches them.
type Server struct {
	// Addr is the listen address (--events-addr).
	Addr string
	// Client reads Alerts and Providers (the manager's cache) and Secrets.
	Client client.Reader
	// Events records Kubernetes events on Alerts about failed dispatches.
	Events events.Recorder
	// NoCrossNamespaceRefs refuses events from another namespace than the
	// Alert's (--no-cross-namespace-refs).
	NoCrossNamespaceRefs bool
	// RateLimit is the interval equal events are dropped in
	// (--rate-limit-interval).
	RateLimit time.Duration
	Log       logr.Logger

	dedup *dedup
	gate  *gate
	order inOrder
}

// Handler answers event requests.
func (s *Server) Handler() http.Handler {
	if s.dedup == nil {
		s.dedup = newDedup(s.RateLimit, time.Now)
	}
	if s.gate == nil {
		s.gate = newGate(time.Now)
	}
	return http.HandlerFunc(s.serve)
}

// Start serves until ctx ends (a manager Runnable).
func (s *Server) Start(ctx context.Context) error {
	l, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, l)
}

// Serve serves on l until ctx ends, then shuts down within 5 seconds.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	s.Log.Info("event server listening", "addr", l.Addr().String())
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// NeedLeaderElection is false: every replica takes the events sent to it.
func (s *Server) NeedLeaderElection() bool { return false }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, status := readBody(r)
	if status != 0 {
		s.Log.Error(errors.New(http.StatusText(status)), "refusing event request", "status", status)
		w.WriteHeader(status)
		return
	}
	e := &eventv1.Event{}
	if err := json.Unmarshal(body, e); err != nil {
		s.Log.Error(err, "decoding the request body failed")
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	event.Clean(e)
	log := s.Log.WithValues("eventInvolvedObject", e.InvolvedObject)
	if !s.dedup.first(event.Key(e)) {
		log.V(1).Info("discarding event, rate limiting duplicate events")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	event.DropInternal(e)
	// The answer does not wait for the providers: the emitter's
	// reconciliation must not.
	w.WriteHeader(http.StatusAccepted)
	s.order.run(string(e.InvolvedObject.UID)+"/"+e.InvolvedObject.Kind+"/"+e.InvolvedObject.Namespace+"/"+e.InvolvedObject.Name, func() {
		s.dispatch(logr.NewContext(context.Background(), log), e)
	})
}
