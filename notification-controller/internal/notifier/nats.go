package notifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
	"github.com/nats-io/nats.go"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

func init() {
	constructors[notificationv1.NATSProvider] = newNATS
}

// natsClientName is the connection name a NATS server shows for the
// publisher (Flux's).
const natsClientName = "NATS Provider Publisher"

// natsNotifier publishes the event itself, as JSON (the generic type's
// body), to the subject spec.channel on the servers of the address, as
// Flux does: a connection per event, with the secret's username and
// password when both are set.
type natsNotifier struct {
	opts Options
}

func newNATS(o Options) (Notifier, error) {
	if o.URL == "" {
		return nil, errors.New("NATS server (address) cannot be empty: set spec.address (or the address key of spec.secretRef) to nats://host:4222")
	}
	if o.Channel == "" {
		return nil, errors.New("NATS subject (channel) cannot be empty: set spec.channel to the subject to publish to")
	}
	if o.Proxy != nil {
		// Flux ignores a proxy for nats; Tide refuses it rather than
		// connecting around it.
		return nil, errors.New("the nats type cannot connect through a proxy: remove spec.proxySecretRef (or the secret's proxy key)")
	}
	for _, server := range strings.Split(o.URL, ",") {
		if err := checkNATSURL(strings.TrimSpace(server)); err != nil {
			return nil, err
		}
	}
	return &natsNotifier{opts: o}, nil
}

// checkNATSURL accepts what the NATS client dials: host:port, or a URL of
// scheme nats, tls, ws or wss.
func checkNATSURL(server string) error {
	bad := fmt.Errorf("invalid NATS server address %q: use nats://host:4222 (or tls://, ws://, wss://), several separated by commas", server)
	if !strings.Contains(server, "://") {
		server = "nats://" + server
	}
	u, err := url.Parse(server)
	if err != nil || u.Host == "" {
		return bad
	}
	switch u.Scheme {
	case "nats", "tls", "ws", "wss":
		return nil
	}
	return bad
}

func (n *natsNotifier) Post(ctx context.Context, e eventv1.Event) error {
	payload, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	nc, err := nats.Connect(n.opts.URL, n.connectOptions(ctx)...)
	if err != nil {
		return fmt.Errorf("connect to the NATS server: %w", err)
	}
	defer nc.Close()

	msg := nats.NewMsg(n.opts.Channel)
	msg.Data = payload
	for k, v := range n.opts.Headers {
		msg.Header.Set(k, v)
	}
	if err := nc.PublishMsg(msg); err != nil {
		return fmt.Errorf("publish to subject %s: %w", n.opts.Channel, err)
	}
	// The server has the message once a round trip has passed; an error
	// it reported meanwhile (a denied subject) is the connection's last.
	if err := n.flush(ctx, nc); err != nil {
		return fmt.Errorf("publish to subject %s: %w", n.opts.Channel, err)
	}
	if err := nc.LastError(); err != nil {
		return fmt.Errorf("publish to subject %s: %w", n.opts.Channel, err)
	}
	return nil
}

// flush waits for the server's answer until ctx's deadline (the
// Provider's timeout), or the timeout itself.
func (n *natsNotifier) flush(ctx context.Context, nc *nats.Conn) error {
	if _, ok := ctx.Deadline(); ok {
		return nc.FlushWithContext(ctx)
	}
	timeout := n.opts.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	return nc.FlushTimeout(timeout)
}

// connectOptions are Flux's (name, user and password when both are set),
// with the Provider's TLS and the notification's deadline.
func (n *natsNotifier) connectOptions(ctx context.Context) []nats.Option {
	opts := []nats.Option{nats.Name(natsClientName), nats.NoReconnect()}
	if n.opts.Username != "" && n.opts.Password != "" {
		opts = append(opts, nats.UserInfo(n.opts.Username, n.opts.Password))
	}
	if n.opts.TLS != nil {
		opts = append(opts, nats.Secure(n.opts.TLS))
	}
	if deadline, ok := ctx.Deadline(); ok {
		opts = append(opts, nats.Timeout(time.Until(deadline)))
	}
	return opts
}
