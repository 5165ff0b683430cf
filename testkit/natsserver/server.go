package natsserver

import (
	"crypto/tls"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Options configure a Server. The zero value is a plain server anyone may
// publish to.
type Options struct {
	// Username and Password, when set, are required of every client.
	Username, Password string
	// TLS, when set, is the server's TLS configuration: clients must
	// connect over TLS.
	TLS *tls.Config
}

// Server is a NATS server on 127.0.0.1, stopped when the test ends.
type Server struct {
	// URL is the address clients connect to (nats://127.0.0.1:<port>).
	URL  string
	opts Options
	srv  *server.Server
}

// Start runs a server on a free port and waits until it accepts clients.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	srv, err := server.NewServer(&server.Options{
		Host:      "127.0.0.1",
		Port:      server.RANDOM_PORT,
		NoLog:     true,
		NoSigs:    true,
		Username:  o.Username,
		Password:  o.Password,
		TLS:       o.TLS != nil,
		TLSConfig: o.TLS,
	})
	if err != nil {
		t.Fatalf("nats server: %v", err)
	}
	go srv.Start()
	t.Cleanup(srv.Shutdown)
	if !srv.ReadyForConnections(30 * time.Second) {
		t.Fatal("nats server did not accept connections within 30s")
	}
	return &Server{URL: srv.ClientURL(), opts: o, srv: srv}
}

// Subscribe listens on subject (NATS wildcards allowed) as a client with
// the server's credentials, and returns the messages as they arrive.
func (s *Server) Subscribe(t testing.TB, subject string) <-chan *nats.Msg {
	t.Helper()
	opts := []nats.Option{nats.Name("tide test subscriber")}
	if s.opts.Username != "" {
		opts = append(opts, nats.UserInfo(s.opts.Username, s.opts.Password))
	}
	if s.opts.TLS != nil {
		// The test's own client trusts anything: it is not under test.
		opts = append(opts, nats.Secure(&tls.Config{InsecureSkipVerify: true})) //nolint:gosec
	}
	nc, err := nats.Connect(s.URL, opts...)
	if err != nil {
		t.Fatalf("subscribe to %s: %v", subject, err)
	}
	t.Cleanup(nc.Close)
	msgs := make(chan *nats.Msg, 64)
	if _, err := nc.ChanSubscribe(subject, msgs); err != nil {
		t.Fatalf("subscribe to %s: %v", subject, err)
	}
	// The subscription is on the server once a round trip has passed.
	if err := nc.Flush(); err != nil {
		t.Fatalf("subscribe to %s: %v", subject, err)
	}
	return msgs
}
