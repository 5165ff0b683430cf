package eventserver

import (
	"context"
	"errors"
	"fmt"
	"strings"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/notification-controller/internal/event"
	"github.com/tidegitops/tide/notification-controller/internal/notifier"
	"github.com/tidegitops/tide/notification-controller/internal/provider"
)

// dispatch sends e through every matching Alert's Provider, each in its own
// goroutine bounded by the Provider's timeout.
func (s *Server) dispatch(ctx context.Context, e *eventv1.Event) {
	log := logr.FromContextOrDiscard(ctx)
	alerts, err := s.matchingAlerts(ctx, e)
	if err != nil {
		log.Error(err, "failed to get alerts for the event")
		return
	}
	if len(alerts) == 0 {
		log.Info("discarding event, no alerts found for the involved object")
		return
	}
	log.Info("dispatching event", "message", e.Message)
	for i := range alerts {
		a := &alerts[i]
		alog := log.WithValues("alert", map[string]string{
			"name": a.Name, "namespace": a.Namespace, "providerName": a.Spec.ProviderRef.Name,
		})
		send, err := s.prepare(logr.NewContext(ctx, alog), e, a)
		if err != nil {
			alog.Error(err, "failed to dispatch notification")
			s.Events.Eventf(a, nil, corev1.EventTypeWarning, notificationv1.NotificationDispatchFailedReason, "Dispatch",
				"failed to dispatch notification for %s: %s", objectString(e), err)
			continue
		}
		if send != nil {
			go send()
		}
	}
}

// prepare does everything that can fail before sending, and returns the
// send (nil when the Provider skips this event).
func (s *Server) prepare(ctx context.Context, e *eventv1.Event, a *notificationv1beta3.Alert) (func(), error) {
	if s.NoCrossNamespaceRefs && e.InvolvedObject.Namespace != a.Namespace {
		return nil, fmt.Errorf("discarding event, access denied to cross-namespace sources: alert '%s/%s' can't process event from '%s', cross-namespace references have been blocked",
			a.Namespace, a.Name, objectString(e))
	}
	p := &notificationv1beta3.Provider{}
	if err := s.Client.Get(ctx, client.ObjectKey{Namespace: a.Namespace, Name: a.Spec.ProviderRef.Name}, p); err != nil {
		return nil, fmt.Errorf("failed to read provider '%s/%s': %w", a.Namespace, a.Spec.ProviderRef.Name, err)
	}
	if p.Spec.Suspend {
		return nil, nil
	}
	pass, err := s.gate.pass(a, e)
	if err != nil {
		logr.FromContextOrDiscard(ctx).Error(err, "ignoring an Alert annotation")
		s.Events.Eventf(a, nil, corev1.EventTypeWarning, notificationv1.InvalidConfigReason, "Dispatch", "%s", err.Error())
	}
	if !pass {
		return nil, nil
	}
	// Controllers send the key under their object's API group, as
	// kustomize-controller's "kustomize.toolkit.fluxcd.io/commit_status".
	statusUpdate := e.HasMetadata(eventv1.MetaCommitStatusKey, eventv1.MetaCommitStatusUpdateValue) ||
		e.HasMetadata(e.InvolvedObject.GroupVersionKind().Group+"/"+eventv1.MetaCommitStatusKey, eventv1.MetaCommitStatusUpdateValue)
	gitType := notifier.IsCommitStatusType(p.Spec.Type)
	// Commit status updates are for the Git types only; the Git types
	// need a commit (or a status update) to report on.
	if statusUpdate && !gitType {
		return nil, nil
	}
	if gitType && !statusUpdate && !hasCommit(e) {
		logr.FromContextOrDiscard(ctx).Info("event dropped for commit status providers due to missing commit metadata key")
		return nil, nil
	}

	// The change request comment types need the request's number, set on
	// the object as the event.toolkit.fluxcd.io/change_request annotation.
	if notifier.IsChangeRequestType(p.Spec.Type) && e.Metadata[eventv1.Group+"/"+eventv1.MetaChangeRequestKey] == "" {
		logr.FromContextOrDiscard(ctx).Info("event dropped for change request providers due to missing change_request metadata key")
		return nil, nil
	}

	notification := *e.DeepCopy()
	metadata, conflicts := event.Combine(e, a.Spec.EventMetadata, a.Spec.Summary)
	s.warnConflicts(ctx, a, conflicts)
	if len(metadata) > 0 {
		notification.Metadata = metadata
	}

	opts, err := provider.Options(ctx, s.Client, p)
	if err != nil {
		return nil, err
	}
	opts.EventKey = event.Key(e)
	if gitType {
		if opts.CommitStatus, err = commitStatusID(ctx, p, a, notification); err != nil {
			return nil, err
		}
	}
	n, err := notifier.New(p.Spec.Type, opts)
	if err != nil {
		return nil, fmt.Errorf("failed to initialize notifier for provider '%s': %s", p.Name, mask(err, opts.Secrets()...))
	}
	return func() {
		postCtx, cancel := context.WithTimeout(context.Background(), opts.Timeout)
		defer cancel()
		if err := n.Post(postCtx, notification); err != nil {
			err = errors.New(mask(err, opts.Secrets()...))
			logr.FromContextOrDiscard(ctx).Error(err, "failed to send notification")
			s.Events.Eventf(a, nil, corev1.EventTypeWarning, notificationv1.NotificationDispatchFailedReason, "Dispatch",
				"failed to send notification for %s: %s", objectString(e), err)
			return
		}
		logr.FromContextOrDiscard(ctx).V(1).Info("sent notification", "provider", p.Spec.Type)
	}, nil
}

// warnConflicts reports metadata keys set by more than one source, once
// per notification, as Flux does.
func (s *Server) warnConflicts(ctx context.Context, a *notificationv1beta3.Alert, conflicts []event.Conflict) {
	if len(conflicts) == 0 {
		return
	}
	const msg = "metadata key conflicts detected (please refer to the Alert API docs and Flux RFC 0008 for more information)"
	annotations := map[string]string{}
	for _, c := range conflicts {
		annotations[c.Key] = strings.Join(c.Sources, ", ")
	}
	logr.FromContextOrDiscard(ctx).Info("warning: "+msg, "conflictingKeys", conflicts)
	s.Events.AnnotatedEventf(a, nil, annotations, corev1.EventTypeWarning, notificationv1.MetadataAppendFailedReason, "Dispatch", "%s", msg)
}

// hasCommit reports whether a Git commit status can be set from e: the
// object names its commit (the event.toolkit.fluxcd.io/commit annotation,
// as Flux's main branch reads it), or a revision of its controller holds a
// Git commit. A revision that is none (a HelmRelease's chart version) is
// dropped, as Flux drops it, rather than failing to send.
func hasCommit(e *eventv1.Event) bool {
	if e.Metadata[eventv1.Group+"/"+eventv1.MetaCommitKey] != "" {
		return true
	}
	if rev, ok := e.GetRevision(); ok && notifier.HasGitCommit(rev) {
		return true
	}
	prefix := e.InvolvedObject.GroupVersionKind().Group + "/"
	for _, k := range []string{eventv1.MetaCommitKey, eventv1.MetaOriginRevisionKey, eventv1.MetaRevisionKey} {
		if rev, ok := e.Metadata[prefix+k]; ok && notifier.HasGitCommit(rev) {
			return true
		}
	}
	return false
}

// mask hides secrets (token, password, an address from a Secret) in an
// error's text: a service may echo them back.
func mask(err error, secrets ...string) string {
	msg := err.Error()
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, "*****")
	}
	return msg
}

func objectString(e *eventv1.Event) string {
	return fmt.Sprintf("%s/%s/%s", e.InvolvedObject.Kind, e.InvolvedObject.Namespace, e.InvolvedObject.Name)
}
