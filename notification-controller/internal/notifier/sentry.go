package notifier

import (
	"context"
	"errors"
	"fmt"
	"sync"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
	"github.com/getsentry/sentry-go"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

func init() {
	constructors[notificationv1.SentryProvider] = newSentry
}

// sentryNotifier sends through the Sentry Go SDK, as Flux does, so Sentry
// sees the same envelopes: the address is the project's DSN and the channel
// the environment. An info event becomes a transaction (Sentry's
// performance view: a timeline of reconciliations, no alert); any other
// event an error event, which Sentry alerts on.
//
// Unlike Flux, which queues the event in the SDK's background transport and
// never learns whether it arrived, each Post waits for Sentry's answer
// (retrying 5xx and 429 as the other types do), so a failure is reported.
type sentryNotifier struct {
	opts Options
}

func newSentry(o Options) (Notifier, error) {
	if o.URL == "" {
		return nil, errors.New("the Sentry DSN cannot be empty: set spec.address (or the address key of spec.secretRef) to the project's DSN")
	}
	if _, err := sentry.NewDsn(o.URL); err != nil {
		return nil, fmt.Errorf("invalid Sentry DSN (spec.address or the secret's address key): %w", err)
	}
	return &sentryNotifier{opts: o}, nil
}

// sentryRelease is the release the SDK found for this process (from
// SENTRY_RELEASE and the like, the build's VCS revision, or `git describe`),
// kept after the first client: the SDK looks again, running git, for each
// client given none.
var sentryRelease releaseCache

type releaseCache struct {
	mu    sync.Mutex
	value string
}

func (c *releaseCache) Load() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.value
}

func (c *releaseCache) Keep(release string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.value == "" {
		c.value = release
	}
}

func (s *sentryNotifier) Post(ctx context.Context, e eventv1.Event) error {
	// A client per event, as Flux builds one: the options are the
	// Provider's of the moment, and nothing outlives the Post.
	send := newSentrySend(ctx, s.opts)
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn:              s.opts.URL,
		Environment:      s.opts.Channel,
		Release:          sentryRelease.Load(),
		TracesSampleRate: 1,
		// The synchronous transport sends within CaptureEvent, through
		// send, which keeps the answer.
		Transport:  sentry.NewHTTPSyncTransport(),
		HTTPClient: send.client(),
		// No background metrics batcher for a client that sends one event.
		DisableMetrics: true,
	})
	if err != nil {
		return fmt.Errorf("invalid Sentry DSN: %w", err)
	}
	defer client.Close()
	sentryRelease.Keep(client.Options().Release)
	if e.Severity == eventv1.EventSeverityInfo {
		client.CaptureEvent(sentryTransaction(e), nil, nil)
	} else {
		client.CaptureEvent(sentryError(e), nil, nil)
	}
	return send.result()
}

// sentrySummary names the object, the transaction name of both event kinds.
func sentrySummary(e eventv1.Event) string {
	o := e.InvolvedObject
	return fmt.Sprintf("%s: %s/%s", o.Kind, o.Namespace, o.Name)
}

// sentryTransaction is an info event as a finished transaction of one span
// (op "event") at the event's time, tagged with the object, the reporter,
// the reason and the metadata. The SDK can only start spans on a context,
// not on a given client, so the transaction event is assembled here.
func sentryTransaction(e eventv1.Event) *sentry.Event {
	span := sentry.StartSpan(context.Background(), "event")
	o := e.InvolvedObject
	for k, v := range map[string]string{
		"flux_involved_object_kind":      o.Kind,
		"flux_involved_object_namespace": o.Namespace,
		"flux_involved_object_name":      o.Name,
		"flux_reporting_controller":      e.ReportingController,
		"flux_reporting_instance":        e.ReportingInstance,
		"flux_reason":                    e.Reason,
	} {
		span.SetTag(k, v)
	}
	for k, v := range e.Metadata {
		span.SetTag(k, v)
	}
	span.StartTime = e.Timestamp.Time
	span.EndTime = e.Timestamp.Time
	trace := sentry.TraceContext{
		TraceID:      span.TraceID,
		SpanID:       span.SpanID,
		ParentSpanID: span.ParentSpanID,
		Op:           span.Op,
		Description:  span.Description,
		Status:       span.Status,
	}
	return &sentry.Event{
		Type:        "transaction",
		Transaction: sentrySummary(e),
		Message:     e.Message,
		Contexts:    map[string]sentry.Context{"trace": trace.Map()},
		Tags:        span.Tags,
		Extra:       span.Data,
		Timestamp:   span.EndTime,
		StartTime:   span.StartTime,
		Spans:       []*sentry.Span{span},
	}
}

// sentryError is an error event: the message, level error, the reporting
// controller as the server name and the metadata as extra data. (Alerts
// pass only info and error events on.)
func sentryError(e eventv1.Event) *sentry.Event {
	extra := make(map[string]any, len(e.Metadata))
	for k, v := range e.Metadata {
		extra[k] = v
	}
	return &sentry.Event{
		Timestamp:   e.Timestamp.Time,
		Level:       sentry.LevelError,
		ServerName:  e.ReportingController,
		Transaction: sentrySummary(e),
		Extra:       extra,
		Message:     e.Message,
	}
}
