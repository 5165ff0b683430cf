package manager

import (
	"fmt"

	"github.com/fluxcd/pkg/runtime/events"
	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
)

// eventQueue is how many events may wait for the notification webhook; past
// it new ones are dropped (and logged) rather than held in memory.
const eventQueue = 1000

// newEventRecorder records events in Kubernetes at once and posts them to
// the notification webhook (--events-addr) from a queue of its own: Flux's
// recorder posts synchronously, retrying for many seconds when the
// notification-controller is slow or absent, which would hold up the
// reconciliation that sent the event.
func newEventRecorder(mgr ctrl.Manager, o Options) (events.Recorder, error) {
	log := ctrl.Log.WithName("events")
	kube, err := events.NewRecorder(log, "", o.Name, events.WithManager(mgr))
	if err != nil {
		return nil, err
	}
	if o.EventsAddr == "" {
		return kube, nil
	}
	hook, err := events.NewRecorder(log, o.EventsAddr, o.Name, events.WithScheme(mgr.GetScheme()))
	if err != nil {
		return nil, fmt.Errorf("--events-addr: %w", err)
	}
	return newAsyncRecorder(kube, hook, log), nil
}

// asyncRecorder sends each event to kube at once and to hook in order from
// one goroutine.
type asyncRecorder struct {
	kube, hook events.Recorder
	queue      chan func()
	log        logr.Logger
}

func newAsyncRecorder(kube, hook events.Recorder, log logr.Logger) *asyncRecorder {
	r := &asyncRecorder{kube: kube, hook: hook, queue: make(chan func(), eventQueue), log: log}
	go func() {
		for send := range r.queue {
			send()
		}
	}()
	return r
}

func (r *asyncRecorder) Eventf(obj runtime.Object, related runtime.Object, eventType, reason, action, format string, args ...any) {
	r.AnnotatedEventf(obj, related, nil, eventType, reason, action, format, args...)
}

func (r *asyncRecorder) AnnotatedEventf(obj runtime.Object, related runtime.Object, annotations map[string]string, eventType, reason, action, format string, args ...any) {
	r.kube.AnnotatedEventf(obj, related, annotations, eventType, reason, action, format, args...)
	// The object may change once the reconciliation goes on: send a copy.
	obj = obj.DeepCopyObject()
	if related != nil {
		related = related.DeepCopyObject()
	}
	message := fmt.Sprintf(format, args...)
	select {
	case r.queue <- func() { r.hook.AnnotatedEventf(obj, related, annotations, eventType, reason, action, "%s", message) }:
	default:
		r.log.Info("notification webhook queue full: event dropped", "reason", reason)
	}
}
