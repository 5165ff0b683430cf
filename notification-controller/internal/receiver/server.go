package receiver

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/fluxcd/pkg/runtime/conditions"
	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

// maxBodyBytes caps a call's body, as Flux caps it (3 MiB).
const maxBodyBytes = 3 << 20

// Server answers webhook calls.
type Server struct {
	// Addr is the listen address (--receiverAddr).
	Addr string
	// Receivers finds Receivers by path (the manager's cache, indexed).
	Receivers client.Reader
	// Reader reads Secrets and the resources to annotate, uncached.
	Reader client.Reader
	// Writer patches the resources.
	Writer client.Writer
	Log    logr.Logger
}

// Start serves until ctx ends (a manager Runnable).
func (s *Server) Start(ctx context.Context) error {
	l, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, l)
}

// NeedLeaderElection is false: every replica answers calls.
func (s *Server) NeedLeaderElection() bool { return false }

// Serve serves on l until ctx ends.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	mux := http.NewServeMux()
	mux.HandleFunc(notificationv1.ReceiverWebhookPath, s.handle)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, MaxHeaderBytes: 256 << 10}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	s.Log.Info("webhook receiver listening", "addr", l.Addr().String())
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// handle answers as Flux does: 404 for no Receiver at the path, 503 for a
// suspended or not ready one, 400 for a call that fails verification (or
// is too large: 413), 500 when a resource could not be annotated, else 200.
func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var list notificationv1.ReceiverList
	if err := s.Receivers.List(ctx, &list, client.MatchingFields{WebhookPathIndex: r.URL.Path}); err != nil {
		s.Log.Error(err, "unable to list receivers")
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if len(list.Items) == 0 {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	rcv := &list.Items[0]
	log := s.Log.WithValues("reconciler kind", notificationv1.ReceiverKind, "name", rcv.Name, "namespace", rcv.Namespace)
	if rcv.Spec.Suspend || !conditions.IsReady(rcv) {
		log.Error(errors.New("unable to process request"), "receiver is suspended or not ready")
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if len(body) > maxBodyBytes {
		log.Error(errors.New("request body too large"), "unable to validate payload")
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		return
	}
	if err := s.verify(ctx, rcv, call{header: r.Header, body: body}); err != nil {
		log.Error(err, "unable to validate payload")
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	req := map[string]any{}
	_ = json.Unmarshal(body, &req)
	failed := false
	for _, res := range rcv.Spec.Resources {
		if err := s.requestReconciliation(logr.NewContext(ctx, log), rcv, res, req); err != nil {
			log.Error(err, "unable to request reconciliation")
			failed = true
		}
	}
	if failed {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) verify(ctx context.Context, rcv *notificationv1.Receiver, c call) error {
	check, ok := verifiers[rcv.Spec.Type]
	if !ok {
		return errors.New("receiver type '" + rcv.Spec.Type + "' not supported")
	}
	token, err := readToken(ctx, s.Reader, rcv)
	if err != nil {
		return errors.New("unable to read token, error: " + err.Error())
	}
	return check(c, token, rcv.Spec.Events)
}
